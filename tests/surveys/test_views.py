"""Builder (admin only), report (every role, query count bounded), account panel."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.panels import PANELS
from surveys.models import Survey, SurveyWorkspace
from surveys.panels import surveys_panel_context
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


def test_report_for_every_role_with_bounded_queries(client, readonly_user, django_assert_max_num_queries):
    now = timezone.now()
    for i in range(12):
        account = AccountFactory(segment="SMB" if i % 2 else "Enterprise", tier="key")
        SurveyResponseFactory(
            account=account,
            kind="nps",
            score=i % 11,
            comment=f"comment {i}",
            submitted_at=now - timedelta(days=30 * (i % 6)),
        )
        SurveyResponseFactory(account=account, kind="csat", score=1 + i % 5, submitted_at=now - timedelta(days=10))
    client.force_login(readonly_user)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("surveys:report"))
    assert response.status_code == 200
    scores = response.context["scores"]
    assert scores["nps_responses"] == 12
    assert {r["key"] for r in response.context["by_segment"]} == {"SMB", "Enterprise"}
    # htmx search returns just the verbatims partial
    partial = client.get(reverse("surveys:report"), {"q": "comment 1"}, HTTP_HX_REQUEST="true")
    assert b'id="verbatims"' in partial.content and b"<html" not in partial.content
    assert b"comment 10" in partial.content and b"comment 2<" not in partial.content
    # only managers may recompute themes
    assert client.post(reverse("surveys:report")).status_code == 403


def test_report_filters_by_segment(admin_client):
    smb, ent = AccountFactory(segment="SMB"), AccountFactory(segment="Enterprise")
    SurveyResponseFactory(account=smb, kind="nps", score=10)
    SurveyResponseFactory(account=ent, kind="nps", score=0)
    response = admin_client.get(reverse("surveys:report"), {"segment": "SMB"})
    assert response.context["scores"]["nps"] == 100.0


def test_account_panel_is_registered_and_shows_answers(django_assert_max_num_queries):
    assert "surveys" in PANELS
    account = AccountFactory()
    contact = ContactFactory(account=account, name="Dana")
    SurveyResponseFactory(account=account, contact=contact, kind="nps", score=3, comment="Reports are slow")
    SurveyResponseFactory(account=account, kind="csat", score=5)
    with django_assert_max_num_queries(2):
        context = surveys_panel_context(None, account)
    assert [r.score for r in context["responses"]] == [5, 3] or [r.score for r in context["responses"]] == [3, 5]
    assert context["scores"]["nps"] == -100.0 and context["scores"]["csat"] == 1.0


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
