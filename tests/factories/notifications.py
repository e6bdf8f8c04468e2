import factory
from django.utils import timezone

from notifications.choices import NotificationKind
from notifications.models import Notification

from .core import UserFactory


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    recipient = factory.SubFactory(UserFactory)
    kind = NotificationKind.TASK_ASSIGNED
    key = factory.Sequence(lambda n: f"test:{n}")
    title = factory.Sequence(lambda n: f"Notification {n}")
    body = "Something happened"
    url = "/tasks/"
    created_at = factory.LazyFunction(timezone.now)
