"""The builder (admin only): surveys and widget workspaces created and edited through
surveys.services.definitions, the survey list, and the send started from a survey."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from surveys.models import Survey, SurveyWorkspace
from surveys.selectors import survey_list
from tests.factories import AccountFactory, ContactFactory
from tests.factories.surveys import SurveyFactory, SurveyResponseFactory, SurveyWorkspaceFactory

pytestmark = pytest.mark.django_db


def survey_post(**overrides):
    data = {
        "name": "Onboarding CSAT",
        "kind": "csat",
        "status": "active",
        "default_language": "en",
        "brand_color": "#112233",
        "logo_url": "",
        "sample_percent": "50",
        "trigger": "event",
        "trigger_event": "report_exported",
        "trigger_days": "0",
        "delay_seconds": "5",
        "drip_per_day": "",
        "segments_text": "SMB, Mid-market",
        "tiers": ["key", "standard"],
        "follow_ups_text": "single | What do you use most? | Reports; Dashboards\ntext | Anything else?",
        "t_ar_question": "ما مدى رضاك؟",
        "t_en_thanks_unhappy": "Sorry! We'll call you.",
    }
    data.update(overrides)
    return data


def test_builder_is_admin_only(client, csm_user, readonly_user):
    for user in (csm_user, readonly_user):
        client.force_login(user)
        assert client.get(reverse("surveys:survey_list")).status_code == 403
        assert client.post(reverse("surveys:survey_create"), survey_post()).status_code == 403
    assert not Survey.objects.exists()


def test_admin_creates_a_survey_with_languages_follow_ups_audience_and_trigger(admin_client):
    workspace = SurveyWorkspaceFactory()
    admin_client.get(reverse("surveys:survey_create"))  # the page that holds the form, as a browser has it
    response = admin_client.post(reverse("surveys:survey_create"), survey_post(workspace=str(workspace.id)))
    assert response.status_code == 302, response.context["form"].errors
    survey = Survey.objects.get()
    assert survey.segments == ["SMB", "Mid-market"] and survey.tiers == ["key", "standard"]
    assert survey.follow_ups[0] == {
        "id": "q1",
        "type": "single",
        "label": "What do you use most?",
        "options": ["Reports", "Dashboards"],
    }
    assert survey.follow_ups[1]["type"] == "text"
    assert survey.translations == {
        "ar": {"question": "ما مدى رضاك؟"},
        "en": {"thanks_unhappy": "Sorry! We'll call you."},
    }
    assert survey.texts("ar")["question"] == "ما مدى رضاك؟" and survey.texts("ar")["dir"] == "rtl"
    assert survey.texts("zh")["dir"] == "ltr"
    assert survey.texts("en")["thanks_unhappy"] == "Sorry! We'll call you."
    page = admin_client.get(reverse("surveys:survey_edit", args=[survey.pk]))
    assert page.status_code == 200 and b'dir="rtl"' in page.content
    assert admin_client.get(reverse("surveys:survey_list")).status_code == 200


def test_builder_reports_bad_input(admin_client):
    bad = survey_post(
        trigger_event="", follow_ups_text="single | Only one option | A", brand_color="red", sample_percent="0"
    )
    admin_client.get(reverse("surveys:survey_create"))  # the page that holds the form, as a browser has it
    response = admin_client.post(reverse("surveys:survey_create"), bad)
    assert response.status_code == 400  # core.views.ServiceFormView: the form again, as a client error
    errors = response.context["form"].errors
    assert {"trigger_event", "follow_ups_text", "brand_color", "sample_percent"} <= set(errors)


def test_workspace_origins_are_validated_and_snippet_shown(admin_client):
    admin_client.get(reverse("surveys:workspace_create"))  # the page that holds the form, as a browser has it
    response = admin_client.post(
        reverse("surveys:workspace_create"), {"name": "App", "allowed_origins": "https://app.x.io/path"}
    )
    assert response.status_code == 400 and "allowed_origins" in response.context["form"].errors
    admin_client.post(
        reverse("surveys:workspace_create"),
        {"name": "App", "allowed_origins": "HTTPS://App.X.io\nhttp://localhost:3000"},
    )
    workspace = SurveyWorkspace.objects.get()
    assert workspace.origin_list == ["https://app.x.io", "http://localhost:3000"]
    page = admin_client.get(reverse("surveys:workspace_edit", args=[workspace.pk]))
    assert workspace.key.encode() in page.content and b"/widget/v1.js" in page.content


def test_send_from_builder_queues_the_send(admin_client, django_capture_on_commit_callbacks, mailoutbox):
    survey = SurveyFactory(kind="csat")
    ContactFactory(account=AccountFactory(), email="x@y.io")
    admin_client.get(
        reverse("surveys:survey_send", args=[survey.pk])
    )  # the page that holds the form, as a browser has it
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("surveys:survey_send", args=[survey.pk]), {"confirm": "on"})
    assert response.status_code == 302
    assert len(mailoutbox) == 1


def test_survey_list_counts_answers_of_the_last_90_days_per_survey(admin_client, django_assert_num_queries):
    now = timezone.now()
    nps, csat, quiet = SurveyFactory(kind="nps"), SurveyFactory(kind="csat"), SurveyFactory()
    for days in (1, 10, 89, 91, 300):
        SurveyResponseFactory(survey=nps, submitted_at=now - timedelta(days=days))
    SurveyResponseFactory(survey=csat, kind="csat", score=4, submitted_at=now - timedelta(days=2))
    SurveyResponseFactory(survey=None, submitted_at=now)

    with django_assert_num_queries(1):
        counts = {s.pk: s.responses_90d for s in survey_list()}

    assert counts == {nps.pk: 3, csat.pk: 1, quiet.pk: 0}
    page = admin_client.get(reverse("surveys:survey_list"))
    assert page.status_code == 200 and [s.responses_90d for s in page.context["surveys"]] == [
        counts[s.pk] for s in page.context["surveys"]
    ]
