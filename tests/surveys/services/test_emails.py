"""Email surveys (surveys.services.emails): survey_send with fatigue, audience, drip and
addresses, the one-click signed links, and the whole audience sent in chunks."""

import re
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.utils import timezone

from surveys.fatigue import fatigue_allowed_contact_ids, fatigue_record
from surveys.models import FatigueTouch, SurveyDelivery, SurveyResponse
from surveys.services import survey_send
from tests.factories import AccountFactory, ContactFactory
from tests.factories.surveys import SurveyFactory

pytestmark = pytest.mark.django_db


def links_of(message) -> list[str]:
    return re.findall(r"http://\S+/s/e/\S+/\d+/", message.body)


@pytest.fixture
def survey():
    return SurveyFactory(kind="nps", workspace=None)


def test_send_honours_fatigue_audience_and_addresses(survey):
    # given
    account = AccountFactory(tier="key")
    fresh, asked_recently, no_email = (
        ContactFactory(account=account, email="a@x.io"),
        ContactFactory(account=account, email="b@x.io"),
        ContactFactory(account=account, email=""),
    )
    fatigue_record(contact_id=asked_recently.id, channel="widget", kind="answered")
    # when
    result = survey_send(survey=survey, contact_ids=[fresh.id, asked_recently.id, no_email.id])
    # then
    assert result["sent"] == 1 and result["skipped_fatigue"] == 1 and result["skipped_no_email"] == 1
    assert [m.to for m in mail.outbox] == [["a@x.io"]]
    assert len(links_of(mail.outbox[0])) == 11
    # a second send right away asks nobody (the first one spent the budget)
    again = survey_send(survey=survey, contact_ids=[fresh.id])
    assert again["sent"] == 0 and again["skipped_fatigue"] == 1
    # and the widget would not ask them either
    assert fatigue_allowed_contact_ids(contact_ids=[fresh.id]) == set()


def test_send_audience_and_drip(survey):
    survey.tiers = ["strategic"]
    survey.drip_per_day = 1
    survey.save()
    strategic = AccountFactory(tier="strategic")
    other = AccountFactory(tier="standard")
    a, b = ContactFactory(account=strategic, email="a@x.io"), ContactFactory(account=strategic, email="b@x.io")
    c = ContactFactory(account=other, email="c@x.io")
    result = survey_send(survey=survey, contact_ids=[a.id, b.id, c.id])
    assert result == {"sent": 1, "skipped_no_email": 0, "skipped_audience": 1, "skipped_fatigue": 0, "skipped_drip": 1}


def test_send_refuses_other_channels(survey):
    with pytest.raises(ValueError):
        survey_send(survey=survey, contact_ids=[], channel="sms")


def test_click_records_then_second_click_only_preselects_never_duplicates(
    client, survey, django_capture_on_commit_callbacks
):
    contact = ContactFactory(account=AccountFactory(), email="a@x.io")
    survey_send(survey=survey, contact_ids=[contact.id])
    links = links_of(mail.outbox[0])
    path_3 = "/" + links[3].split("/", 3)[3]
    path_9 = path_3.rsplit("/", 2)[0] + "/9/"
    # first click: records and opens the comment page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(path_3)
    assert response.status_code == 302 and "/s/e/" in response["Location"]
    page = client.get(response["Location"])
    assert page.status_code == 200 and b"What is the main reason" in page.content
    assert SurveyResponse.objects.get().score == 3
    # a second click changes nothing on its GET (mail scanners follow every link): it preselects 9
    with django_capture_on_commit_callbacks(execute=True):
        confirm = client.get(path_9, follow=True)
    assert b'value="9" required checked' in confirm.content
    answer = SurveyResponse.objects.get()
    assert (answer.score, answer.channel, answer.contact_id) == (3, "email", contact.id)
    # the comment page posts a comment on the same answer
    token_path = path_3.rsplit("/", 2)[0] + "/"
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(token_path, {"score": "9", "comment": "Love the dashboards"})
    assert done.status_code == 200 and b"review" in done.content
    assert SurveyResponse.objects.count() == 1
    assert SurveyResponse.objects.get().comment == "Love the dashboards"
    assert FatigueTouch.objects.filter(contact=contact, kind="answered").count() == 1


def test_expired_forged_and_out_of_range_clicks(client, survey):
    contact = ContactFactory(account=AccountFactory(), email="a@x.io")
    survey_send(survey=survey, contact_ids=[contact.id])
    link = links_of(mail.outbox[0])[5]
    path = "/" + link.split("/", 3)[3]
    with mock.patch("django.core.signing.time.time", return_value=timezone.now().timestamp() + 31 * 86400):
        assert client.get(path).status_code == 410
    forged = path.replace("/s/e/", "/s/e/x")
    assert client.get(forged).status_code == 404
    assert client.get(path.rsplit("/", 2)[0] + "/11/").status_code == 400
    assert SurveyResponse.objects.count() == 0


def test_email_is_rendered_right_to_left_for_arabic(survey):
    contact = ContactFactory(account=AccountFactory(), email="a@x.io", language="ar")
    survey_send(survey=survey, contact_ids=[contact.id])
    html = mail.outbox[0].alternatives[0][0]
    assert 'dir="rtl"' in html and 'lang="ar"' in html
    assert mail.outbox[0].subject.startswith("ما مدى")
    assert timezone.now() - SurveyDelivery.objects.get().sent_at < timedelta(minutes=1)


def test_send_to_the_whole_audience_in_chunks(survey, django_capture_on_commit_callbacks):
    from unittest import mock

    from surveys import sending
    from surveys.sending import jobs

    accounts = [AccountFactory(tier="key"), AccountFactory(tier="standard")]
    for i in range(5):
        ContactFactory(account=accounts[i % 2], email=f"p{i}@x.io")
    survey.tiers = ["key"]
    survey.save()
    with mock.patch.object(jobs, "PLAN_CHUNK", 2), django_capture_on_commit_callbacks(execute=True):
        job = sending.send_job_create(survey=survey)
    job.refresh_from_db()
    assert (job.status, job.candidates, job.sent, job.skipped) == ("done", 3, 3, {})
    assert sorted(m.to[0] for m in mail.outbox) == ["p0@x.io", "p2@x.io", "p4@x.io"]
