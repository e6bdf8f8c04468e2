"""The widget endpoints: identity verification (HMAC), CORS, eligibility with fatigue,
answer / change / replay, dismiss."""

import gzip
import json
from datetime import timedelta
from unittest import mock

import pytest
from django.core import signing
from django.test import override_settings
from django.utils import timezone

from surveys.models import FatigueTouch, SurveyDelivery, SurveyResponse
from surveys.services import widget_answer
from surveys.tokens import make_token
from surveys.views.widget import widget_source
from tests.factories import AccountFactory, ContactFactory
from tests.factories.surveys import SurveyFactory, SurveyWorkspaceFactory
from tests.surveys.conftest import widget_token

pytestmark = pytest.mark.django_db
ORIGIN = "https://app.example.com"


@pytest.fixture
def setup():
    workspace = SurveyWorkspaceFactory()
    survey = SurveyFactory(workspace=workspace, kind="nps")
    contact = ContactFactory(account=AccountFactory(), external_id="user-1")
    return workspace, survey, contact


def call(client, workspace, endpoint, body, origin=ORIGIN):
    headers = {"HTTP_ORIGIN": origin} if origin else {}
    return client.post(
        f"/widget/{workspace.key}/{endpoint}/", data=json.dumps(body), content_type="text/plain", **headers
    )


def ident(workspace, user_id="user-1"):
    return {"user_id": user_id, "user_hash": workspace.user_hash(user_id)}


def offer(client, workspace, **extra):
    response = call(client, workspace, "eligibility", {**ident(workspace), **extra})
    assert response.status_code == 200, response.content
    return response.json()


def test_widget_is_small_and_has_no_dependencies():
    source = widget_source()
    assert len(gzip.compress(source, 9)) <= 10 * 1024
    assert b"import " not in source and b"require(" not in source
    assert b"attachShadow" in source


def test_script_is_served_publicly(client):
    response = client.get("/widget/v1.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")


def test_eligible_contact_gets_a_survey_in_their_language_and_spends_budget(client, setup):
    workspace, survey, contact = setup
    data = offer(client, workspace, language="ar")
    assert data["show"] is True
    assert data["survey"]["dir"] == "rtl" and data["survey"]["lang"] == "ar"
    assert data["survey"]["min"] == 0 and data["survey"]["max"] == 10
    assert "توصي" in data["survey"]["texts"]["question"]
    assert FatigueTouch.objects.filter(contact=contact, kind="asked", channel="widget").count() == 1


def test_forged_signature_is_refused(client, setup):
    workspace, _, _ = setup
    body = {"user_id": "user-1", "user_hash": "0" * 64}
    assert call(client, workspace, "eligibility", body).status_code == 403
    # a valid signature for another user does not work for this one
    other = {"user_id": "user-1", "user_hash": workspace.user_hash("user-2")}
    assert call(client, workspace, "eligibility", other).status_code == 403
    # another workspace's secret does not either
    stranger = SurveyWorkspaceFactory()
    forged = {"user_id": "user-1", "user_hash": stranger.user_hash("user-1")}
    assert call(client, workspace, "eligibility", forged).status_code == 403


def test_cors_only_from_allowed_origins(client, setup):
    workspace, _, _ = setup
    allowed = call(client, workspace, "eligibility", ident(workspace))
    assert allowed["Access-Control-Allow-Origin"] == ORIGIN
    refused = call(client, workspace, "eligibility", ident(workspace), origin="https://evil.example.net")
    assert refused.status_code == 403
    assert "Access-Control-Allow-Origin" not in refused
    preflight = client.options(f"/widget/{workspace.key}/answer/", HTTP_ORIGIN=ORIGIN)
    assert preflight.status_code == 204
    assert preflight["Access-Control-Allow-Origin"] == ORIGIN
    assert "POST" in preflight["Access-Control-Allow-Methods"]
    bad_preflight = client.options(f"/widget/{workspace.key}/answer/", HTTP_ORIGIN="http://localhost:9999")
    assert bad_preflight.status_code == 403


def test_unknown_workspace_and_bad_body(client, setup):
    workspace, _, _ = setup
    assert client.post("/widget/wk_nope/eligibility/", data="{}", content_type="text/plain").status_code == 404
    assert (
        client.post(f"/widget/{workspace.key}/eligibility/", data="[1]", content_type="text/plain").status_code == 400
    )
    assert client.get(f"/widget/{workspace.key}/eligibility/").status_code == 405


def test_answer_then_comment_updates_one_response_and_fires_the_loop(client, setup, django_capture_on_commit_callbacks):
    workspace, survey, contact = setup
    token = offer(client, workspace)["token"]
    with mock.patch("surveys.signals.response_recorded.send") as sent:
        with django_capture_on_commit_callbacks(execute=True):
            first = call(client, workspace, "answer", {**ident(workspace), "token": token, "score": 3})
        with django_capture_on_commit_callbacks(execute=True):
            second = call(
                client, workspace, "answer", {**ident(workspace), "token": token, "score": 3, "comment": "Too slow"}
            )
    assert first.status_code == 200 and first.json()["created"] is True
    assert second.status_code == 200 and second.json()["created"] is False
    assert first.json()["category"] == "detractor"
    assert "sorry" in second.json()["thanks"]
    response = SurveyResponse.objects.get()
    assert (response.score, response.comment, response.channel, response.contact_id) == (
        3,
        "Too slow",
        "widget",
        contact.id,
    )
    assert response.account_id == contact.account_id
    assert SurveyDelivery.objects.get().status == "answered"
    assert FatigueTouch.objects.filter(contact=contact, kind="answered").count() == 1
    assert sent.call_args_list[0].kwargs["category"] == "detractor"
    assert sent.call_args_list[0].kwargs["created"] is True


def test_answer_validation(client, setup):
    workspace, _, _ = setup
    token = offer(client, workspace)["token"]
    for score in (11, -1, "x", None):
        response = call(client, workspace, "answer", {**ident(workspace), "token": token, "score": score})
        assert response.status_code == 400
        assert "score" in response.json()["errors"]
    too_long = call(
        client, workspace, "answer", {**ident(workspace), "token": token, "score": 5, "comment": "x" * 5001}
    )
    assert too_long.status_code == 400 and "comment" in too_long.json()["errors"]
    unknown = call(
        client, workspace, "answer", {**ident(workspace), "token": token, "score": 5, "answers": {"zz": "a"}}
    )
    assert unknown.status_code == 400 and "answers" in unknown.json()["errors"]
    assert SurveyResponse.objects.count() == 0


def test_forged_expired_and_replayed_tokens_are_refused(client, setup):
    workspace, survey, contact = setup
    token = offer(client, workspace)["token"]
    # forged: a token minted with another key, or tampered
    forged = signing.dumps(
        {"d": 1, "s": survey.id, "k": "nps", "c": contact.id, "u": "user-1", "w": workspace.id},
        key="not-the-secret",
        salt="surveys.widget",
    )
    assert call(client, workspace, "answer", {**ident(workspace), "token": forged, "score": 9}).status_code == 403
    assert (
        call(client, workspace, "answer", {**ident(workspace), "token": token[:-2] + "xx", "score": 9}).status_code
        == 403
    )
    # an email token is not a widget token
    email_token = make_token("email", {"d": 1})
    assert call(client, workspace, "answer", {**ident(workspace), "token": email_token, "score": 9}).status_code == 403
    # someone else's token with their own valid signature
    ContactFactory(account=contact.account, external_id="user-2")
    assert (
        call(client, workspace, "answer", {**ident(workspace, "user-2"), "token": token, "score": 9}).status_code == 403
    )
    # expired
    with mock.patch("django.core.signing.time.time", return_value=timezone.now().timestamp() + 2 * 86400):
        assert call(client, workspace, "answer", {**ident(workspace), "token": token, "score": 9}).status_code == 410
    # replayed after the edit window: refused, the answer stays
    assert call(client, workspace, "answer", {**ident(workspace), "token": token, "score": 9}).status_code == 200
    SurveyResponse.objects.update(created_at=timezone.now() - timedelta(hours=2))
    assert call(client, workspace, "answer", {**ident(workspace), "token": token, "score": 0}).status_code == 409
    assert SurveyResponse.objects.get().score == 9
    assert SurveyResponse.objects.count() == 1


def test_dismiss_spends_budget_and_cannot_follow_an_answer(client, setup):
    workspace, _, contact = setup
    token = offer(client, workspace)["token"]
    assert call(client, workspace, "dismiss", {**ident(workspace), "token": token}).status_code == 200
    assert FatigueTouch.objects.filter(contact=contact, kind="dismissed").count() == 1
    assert call(client, workspace, "dismiss", {**ident(workspace), "token": token}).status_code == 409
    # dismissed: not asked again
    assert offer(client, workspace)["show"] is False


def test_fatigue_across_surveys_and_channels(client, setup):
    workspace, survey, contact = setup
    SurveyFactory(workspace=workspace, kind="csat")  # a second live survey in the same product
    first = offer(client, workspace)
    call(client, workspace, "dismiss", {**ident(workspace), "token": first["token"]})
    assert offer(client, workspace)["show"] is False  # not the other survey either
    # a contact emailed by a playbook last week is not asked in the widget
    emailed = ContactFactory(account=AccountFactory(), external_id="user-3")
    from surveys.fatigue import fatigue_record

    fatigue_record(
        contact_id=emailed.id, channel="playbook", kind="email", occurred_at=timezone.now() - timedelta(days=7)
    )
    assert offer_for(client, workspace, "user-3")["show"] is False


def offer_for(client, workspace, user_id):
    return call(client, workspace, "eligibility", ident(workspace, user_id)).json()


def test_a_reload_shows_the_pending_survey_again_without_spending_more(client, setup):
    workspace, _, contact = setup
    first = offer(client, workspace)
    again = offer(client, workspace)
    assert again["show"] is True
    assert SurveyDelivery.objects.count() == 1
    assert FatigueTouch.objects.filter(contact=contact).count() == 1
    assert first["survey"]["kind"] == again["survey"]["kind"]


def test_audience_trigger_and_schedule(client, setup):
    workspace, survey, contact = setup
    survey.tiers = ["strategic"]
    survey.save()
    contact.account.tier = "standard"
    contact.account.save()
    assert offer(client, workspace)["show"] is False
    survey.tiers = []
    survey.trigger, survey.trigger_event = "event", "report_exported"
    survey.save()
    from surveys.selectors import cache_clear

    cache_clear()
    assert offer(client, workspace)["show"] is False
    assert offer(client, workspace, event="report_exported")["show"] is True


def test_schedule_and_days_after_signup(client, setup):
    workspace, survey, contact = setup
    survey.ends_at = timezone.now() - timedelta(days=1)
    survey.save()
    assert offer(client, workspace)["show"] is False
    survey.ends_at = None
    survey.trigger, survey.trigger_days = "days_after_signup", 30
    survey.save()
    contact.created_at = timezone.now() - timedelta(days=3)
    contact.save()
    assert offer(client, workspace)["show"] is False
    contact.created_at = timezone.now() - timedelta(days=31)
    contact.save()
    assert offer(client, workspace)["show"] is True


@override_settings(SURVEYS_EDIT_MINUTES=0)
def test_widget_answer_service_refuses_replays_when_edit_window_is_zero(setup):
    workspace, survey, contact = setup
    delivery = SurveyDelivery.objects.create(survey=survey, contact=contact, account=contact.account, channel="widget")
    token = widget_token(delivery, workspace)
    widget_answer(workspace=workspace, token=token, user_id="user-1", score=8)
    from surveys.services import AlreadyAnswered

    with pytest.raises(AlreadyAnswered):
        widget_answer(workspace=workspace, token=token, user_id="user-1", score=2)
