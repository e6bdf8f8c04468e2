"""'Email the audience…' (issue 15, item 11): a confirm page with who will and will not be
asked and why, a background send job with progress, retries that never e-mail anyone twice,
and a note on the survey when the fatigue budget blocks most of its audience."""

from datetime import timedelta
from smtplib import SMTPServerDisconnected
from unittest import mock

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from accounts.models import Contact
from surveys.models import FatigueTouch, SurveyDelivery, SurveySendJob, SurveySendRecipient
from surveys.sending import MailUnavailable, jobs, send_job_create, send_job_step, survey_send_preview
from tests.factories import AccountFactory, ContactFactory
from tests.factories.surveys import SurveyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_cached_previews():
    cache.clear()
    yield
    cache.clear()


def touch(contact, *, days_ago: int = 10):
    FatigueTouch.objects.create(
        contact=contact,
        account_id=contact.account_id,
        channel="email",
        kind="asked",
        occurred_at=timezone.now() - timedelta(days=days_ago),
    )


@pytest.fixture
def audience(settings):
    """Eight contacts: three to e-mail, and one or more for each reason not to."""
    settings.SURVEYS_ACCOUNT_CAP = 2
    acme, globex, initech = AccountFactory(name="Acme"), AccountFactory(name="Globex"), AccountFactory(name="Initech")
    fresh = [ContactFactory(account=acme, email=f"fresh{i}@acme.io") for i in range(2)]
    fresh.append(ContactFactory(account=initech, email="fresh@initech.io", language="ar"))
    no_email = ContactFactory(account=initech, email="")
    recent = ContactFactory(account=initech, email="recent@initech.io")
    touch(recent, days_ago=40)  # outside the 30-day cap window, inside the 90-day recontact window
    capped_by = [ContactFactory(account=globex, email=f"g{i}@globex.io") for i in range(2)]
    for contact in capped_by:
        touch(contact, days_ago=5)
    capped = ContactFactory(account=globex, email="late@globex.io")
    return {"fresh": fresh, "no_email": no_email, "recent": [recent, *capped_by], "capped": capped}


def test_preview_counts_who_will_and_will_not_be_asked_and_why(audience):
    survey = SurveyFactory(kind="nps")
    preview = survey_send_preview(survey=survey)
    assert (preview.audience, preview.will_ask) == (8, 3)
    assert preview.skipped == {"recently_asked": 3, "account_cap": 1, "no_email": 1}
    assert not FatigueTouch.objects.filter(kind="asked", occurred_at__gte=timezone.now() - timedelta(days=1)).exists()


def test_preview_applies_the_drip_and_the_account_cap_across_chunks(audience, settings):
    survey = SurveyFactory(kind="nps", drip_per_day=2)
    small = survey_send_preview(survey=survey, chunk=2)
    assert (small.audience, small.will_ask) == (8, 2)
    assert small.skipped == {"recently_asked": 3, "account_cap": 1, "no_email": 1, "drip": 1}
    # the cap is carried from one chunk to the next: a 2-place cap, three fresh contacts of Acme
    acme = audience["fresh"][0].account
    ContactFactory(account=acme, email="third@acme.io")
    survey.drip_per_day = None
    survey.save()
    assert survey_send_preview(survey=survey, chunk=2).skipped["account_cap"] == 2


def test_confirm_page_shows_the_counts_and_reasons(admin_client, audience, django_capture_on_commit_callbacks):
    survey = SurveyFactory(kind="nps", name="Q4 NPS")
    url = reverse("surveys:survey_send", args=[survey.pk])
    with django_capture_on_commit_callbacks(execute=True):  # the count runs in the background
        assert b"data-counting" in admin_client.get(url).content
    page = admin_client.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-count="audience">8<' in html and 'data-count="will-ask">3<' in html
    assert 'data-count="skipped">5<' in html
    for reason in ("recently_asked", "account_cap", "no_email"):
        assert f'data-reason="{reason}"' in html
    assert "in the last 90 days" in html and "Send 3 e-mails" in html
    assert not mail.outbox and not SurveySendJob.objects.exists()


def test_confirm_page_is_admin_only(client, csm_user):
    survey = SurveyFactory()
    client.force_login(csm_user)
    assert client.get(reverse("surveys:survey_send", args=[survey.pk])).status_code == 403


def test_confirm_then_send_in_the_background_and_show_progress(
    admin_client, admin_user, audience, django_capture_on_commit_callbacks
):
    survey = SurveyFactory(kind="nps")
    url = reverse("surveys:survey_send", args=[survey.pk])
    admin_client.get(url)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = admin_client.post(url)
    job = SurveySendJob.objects.get()
    # the request only queued the job: nothing was e-mailed yet
    assert response.status_code == 302 and response["Location"] == reverse("surveys:send_job", args=[survey.pk, job.pk])
    assert (job.status, job.created_by, job.candidates) == ("queued", admin_user, 8) and not mail.outbox
    running = admin_client.get(response["Location"], headers={"HX-Request": "true"})
    assert b'hx-trigger="every 1s"' in running.content and b'data-status="queued"' in running.content
    # the task (eager here, as in the embedded mode) then sends
    for callback in callbacks:
        callback()
    job.refresh_from_db()
    assert (job.status, job.sent, job.failed, job.audience) == ("done", 3, 0, 8)
    assert job.skipped == {"recently_asked": 3, "account_cap": 1, "no_email": 1}
    assert job.started_at and job.finished_at
    assert sorted(m.to[0] for m in mail.outbox) == sorted(c.email for c in audience["fresh"])
    arabic = next(m for m in mail.outbox if m.to == ["fresh@initech.io"])
    assert arabic.subject == "ما مدى احتمال أن توصي بنا لصديق أو زميل؟"
    done = admin_client.get(response["Location"], headers={"HX-Request": "true"})
    assert b"hx-trigger" not in done.content and b'data-count="sent">3<' in done.content
    assert b'data-count="skipped">5<' in done.content
    assert b"<html" not in done.content  # the polled fragment only
    page = admin_client.get(response["Location"])
    assert b"<html" in page.content and b'id="send-progress"' in page.content


def test_a_second_click_starts_no_second_send(admin_client, audience, django_capture_on_commit_callbacks):
    survey = SurveyFactory(kind="nps")
    url = reverse("surveys:survey_send", args=[survey.pk])
    admin_client.get(url)
    with django_capture_on_commit_callbacks(execute=False):
        first = admin_client.post(url)
        second = admin_client.post(url)
    assert SurveySendJob.objects.count() == 1
    assert first["Location"] == second["Location"]


def test_the_send_goes_in_chunks_and_matches_the_preview(audience, django_capture_on_commit_callbacks):
    survey = SurveyFactory(kind="nps")
    preview = survey_send_preview(survey=survey)
    with mock.patch.object(jobs, "PLAN_CHUNK", 2), django_capture_on_commit_callbacks(execute=True):
        job = send_job_create(survey=survey)
    job.refresh_from_db()
    assert job.status == "done" and job.scanned == job.candidates == 8
    assert (job.sent, job.skipped) == (preview.will_ask, preview.skipped)
    assert len(mail.outbox) == 3 and SurveyDelivery.objects.filter(channel="email").count() == 3


def test_a_retry_never_emails_anyone_twice(audience, settings):
    survey = SurveyFactory(kind="nps")
    with mock.patch("surveys.tasks.survey_send_job_task.delay"):
        job = send_job_create(survey=survey)
    calls = {"n": 0}
    real_send = mail.backends.locmem.EmailBackend.send_messages

    def flaky(self, messages):
        calls["n"] += 1
        if calls["n"] == 2:
            raise SMTPServerDisconnected("connection lost")
        return real_send(self, messages)

    # given a mail server that drops the connection on the second e-mail
    with mock.patch.object(mail.backends.locmem.EmailBackend, "send_messages", flaky):
        with pytest.raises(MailUnavailable):
            send_job_step(job_id=job.id)
    statuses = sorted(SurveySendRecipient.objects.values_list("status", flat=True))
    assert statuses == ["failed", "pending", "sent"] and len(mail.outbox) == 1
    # when the task retries, twice
    assert send_job_step(job_id=job.id) is False
    assert send_job_step(job_id=job.id) is False
    # then everyone was e-mailed at most once, and the one whose e-mail may have left is not re-sent
    job.refresh_from_db()
    assert (job.status, job.sent, job.failed) == ("done", 2, 1)
    addresses = [m.to[0] for m in mail.outbox]
    assert len(addresses) == len(set(addresses)) == 2
    assert SurveyDelivery.objects.count() == 3 and FatigueTouch.objects.filter(kind="asked").count() == 3 + 3


def test_a_claim_left_by_a_dead_worker_is_not_sent_again(audience):
    survey = SurveyFactory(kind="nps")
    with mock.patch("surveys.tasks.survey_send_job_task.delay"):
        job = send_job_create(survey=survey)
    with mock.patch.object(jobs, "_send_pending"):
        send_job_step(job_id=job.id)  # planned, then the worker died before sending
    first = SurveySendRecipient.objects.order_by("id").first()
    SurveySendRecipient.objects.filter(id=first.id).update(status="sending")  # claimed, then died
    assert send_job_step(job_id=job.id) is False
    first.refresh_from_db()
    assert first.status == "interrupted" and len(mail.outbox) == 2
    job.refresh_from_db()
    assert (job.sent, job.failed, job.status) == (2, 1, "done")


def test_the_task_fails_the_job_when_the_mail_server_stays_down(audience):
    from surveys.tasks import survey_send_job_task

    survey = SurveyFactory(kind="nps")
    with mock.patch("surveys.tasks.survey_send_job_task.delay"):
        job = send_job_create(survey=survey)
    down = mock.patch.object(
        mail.backends.locmem.EmailBackend, "send_messages", side_effect=SMTPServerDisconnected("no route")
    )
    with down:
        survey_send_job_task.apply(args=[job.id])
    job.refresh_from_db()
    assert job.status == "failed" and "could not be reached" in job.error
    assert not mail.outbox and job.failed >= 1


# Section: the fatigue budget note


def blocked_audience():
    account = AccountFactory()
    contacts = [ContactFactory(account=account, email=f"c{i}@x.io") for i in range(4)]
    for contact in contacts[:3]:
        touch(contact, days_ago=50)
    return contacts


def test_the_survey_page_says_when_the_budget_blocks_most_of_the_audience(
    admin_client, django_capture_on_commit_callbacks
):
    blocked_audience()
    survey = SurveyFactory(kind="nps", name="Blocked NPS")
    edit = reverse("surveys:survey_edit", args=[survey.pk])
    # the page does not wait for the audience to be counted: it loads the note afterwards
    page = admin_client.get(edit).content.decode()
    note_url = reverse("surveys:budget_note", args=[survey.pk])
    assert f'hx-get="{note_url}"' in page and "data-budget-note" not in page
    # which starts the count in the background and asks again until it is known
    with django_capture_on_commit_callbacks(execute=True):
        pending = admin_client.get(note_url, headers={"HX-Request": "true"}).content.decode()
    assert "data-budget-counting" in pending and f'hx-get="{note_url}"' in pending
    note = admin_client.get(note_url, headers={"HX-Request": "true"}).content.decode()
    assert "data-budget-note" in note and "blocks 75% of this survey" in note
    assert "in the last 90 days" in note and "widen the audience" in note
    # with a recent count at hand, the page shows the note at once
    page = admin_client.get(edit).content.decode()
    assert "data-budget-note" in page and "data-budget-lazy" not in page
    # the list shows it too (from the preview just computed)
    listing = admin_client.get(reverse("surveys:survey_list")).content.decode()
    assert "data-budget-flag" in listing and "Fatigue budget blocks 75% of the audience" in listing


def test_no_note_when_the_budget_blocks_half_or_less(admin_client, django_capture_on_commit_callbacks):
    account = AccountFactory()
    contacts = [ContactFactory(account=account, email=f"c{i}@x.io") for i in range(4)]
    for contact in contacts[:2]:
        touch(contact, days_ago=50)
    survey = SurveyFactory(kind="nps")
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.get(reverse("surveys:budget_note", args=[survey.pk]), headers={"HX-Request": "true"})
    note = admin_client.get(reverse("surveys:budget_note", args=[survey.pk]), headers={"HX-Request": "true"})
    assert note.status_code == 200 and note.content == b""
    page = admin_client.get(reverse("surveys:survey_edit", args=[survey.pk])).content.decode()
    assert "data-budget-note" not in page and "data-budget-lazy" not in page
    assert "data-budget-flag" not in admin_client.get(reverse("surveys:survey_list")).content.decode()


def test_the_list_flags_a_survey_from_its_last_send(admin_client, django_capture_on_commit_callbacks):
    blocked_audience()
    survey = SurveyFactory(kind="nps")
    with django_capture_on_commit_callbacks(execute=True):
        send_job_create(survey=survey)
    cache.clear()  # no preview at hand: the finished send tells
    listing = admin_client.get(reverse("surveys:survey_list")).content.decode()
    assert "Fatigue budget blocks 75% of the audience" in listing
    job_page = admin_client.get(reverse("surveys:send_job", args=[survey.pk, survey.send_jobs.get().pk]))
    assert b"data-budget-note" in job_page.content


def test_a_failed_send_can_be_resumed_without_emailing_anyone_twice(
    admin_client, audience, django_capture_on_commit_callbacks
):
    survey = SurveyFactory(kind="nps")
    down = mock.patch.object(
        mail.backends.locmem.EmailBackend, "send_messages", side_effect=SMTPServerDisconnected("no route")
    )
    with down, django_capture_on_commit_callbacks(execute=True):
        job = send_job_create(survey=survey)  # embedded mode: the step runs inline and fails at once
    job.refresh_from_db()
    assert job.status == "failed"
    url = reverse("surveys:send_job", args=[survey.pk, job.pk])
    page = admin_client.get(url)
    assert b"data-resume" in page.content and b"could not be reached" in page.content
    with django_capture_on_commit_callbacks(execute=True):
        resumed = admin_client.post(reverse("surveys:send_job_resume", args=[survey.pk, job.pk]))
    assert resumed.status_code == 302 and resumed["Location"] == url
    job.refresh_from_db()
    assert (job.status, job.sent, job.failed) == ("done", 2, 1)  # the one in flight is not re-sent
    assert len(mail.outbox) == 2 and FatigueTouch.objects.filter(kind="asked").count() == 3 + 3


def test_a_send_refreshes_the_budget_note(admin_client, django_capture_on_commit_callbacks):
    account = AccountFactory()
    for i in range(4):
        ContactFactory(account=account, email=f"c{i}@x.io")
    survey = SurveyFactory(kind="nps")
    edit = reverse("surveys:survey_edit", args=[survey.pk])
    survey_send_preview(survey=survey)  # counted (and cached): nobody blocked
    assert b"data-budget-note" not in admin_client.get(edit).content
    with django_capture_on_commit_callbacks(execute=True):
        send_job_create(survey=survey)
    note_url = reverse("surveys:budget_note", args=[survey.pk])
    with django_capture_on_commit_callbacks(execute=True):  # the send dropped the old count
        assert b"data-budget-counting" in admin_client.get(note_url).content
    note = admin_client.get(note_url).content
    assert b"blocks 100% of this survey" in note


def test_the_preview_costs_the_same_few_queries_whatever_the_audience_size():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    survey = SurveyFactory(kind="nps")
    accounts = [AccountFactory() for _ in range(10)]
    counts = []
    for size in (3, 60):
        for i in range(size - Contact.objects.count()):
            contact = ContactFactory(account=accounts[i % 10], email=f"s{size}-{i}@x.io")
            if i % 4 == 0:
                touch(contact, days_ago=3)
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            preview = survey_send_preview(survey=survey)
        assert preview.audience == size
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 8
