import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from tests.factories import ActivityFactory, ContactFactory, SubscriptionFactory, SupportTicketFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_every_accounts_model_is_in_the_django_admin():
    missing = [m.__name__ for m in apps.get_app_config("accounts").get_models() if not admin.site.is_registered(m)]
    assert missing == []


@pytest.mark.parametrize("model", [m._meta.model_name for m in apps.get_app_config("accounts").get_models()])
def test_admin_changelists_load(client, model):
    SubscriptionFactory()
    ContactFactory()
    SupportTicketFactory()
    ActivityFactory()
    client.force_login(UserFactory(is_staff=True, is_superuser=True, role="admin"))
    response = client.get(reverse(f"admin:accounts_{model}_changelist"))
    assert response.status_code == 200
