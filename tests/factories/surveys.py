import factory
from django.utils import timezone

from surveys.models import Survey, SurveyResponse, SurveyWorkspace

from .accounts import AccountFactory


class SurveyWorkspaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SurveyWorkspace

    name = factory.Sequence(lambda n: f"Product {n}")
    allowed_origins = "http://localhost:8000\nhttps://app.example.com"


class SurveyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Survey

    name = factory.Sequence(lambda n: f"Survey {n}")
    kind = "nps"
    status = "active"
    workspace = factory.SubFactory(SurveyWorkspaceFactory)


class SurveyResponseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SurveyResponse

    kind = "nps"
    account = factory.SubFactory(AccountFactory)
    score = 9
    channel = "widget"  # a customer's answer (imports fire no playbook: pass channel="import" for those)
    submitted_at = factory.LazyFunction(timezone.now)
    dedupe_key = factory.Sequence(lambda n: f"t:{n}")
    followup_pending = False  # stored history, already followed up
    followup_count = 1
