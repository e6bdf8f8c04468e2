"""In Chromium: 'Email the audience…' from the builder to the confirm page (counting in the
background, polled until the counts are known), the send, and its progress polled until done,
on a desktop and on a phone; the builder's wording per language with completeness and
previews. Screenshots for a person to look at."""

from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.core.cache import cache
from django.utils import timezone

from surveys.models import FatigueTouch, SurveySendJob
from surveys.sending import SendPreview, send_job_step
from surveys.sending.preview import _budget_key
from surveys.tasks import survey_send_preview_task
from tests.factories import AccountFactory, ContactFactory
from tests.factories.surveys import SurveyFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def survey_with_audience(settings, live_server):
    settings.SITE_URL = live_server.url
    survey = SurveyFactory(kind="nps", name="Q4 product NPS", default_language="ar")
    survey.translations = {"ar": {"question": "ما مدى احتمال أن توصي بمنصتنا؟"}}
    survey.follow_ups = [
        {"id": "q1", "type": "single", "label": "ما الذي تستخدمه أكثر؟", "options": ["التقارير", "اللوحات"]}
    ]
    survey.save()
    accounts = [AccountFactory(name=f"Account {i}") for i in range(4)]
    for i in range(12):
        ContactFactory(account=accounts[i % 4], email=f"person{i}@example.com" if i % 6 else "")
    recent = ContactFactory(account=accounts[0], email="recent@example.com")
    FatigueTouch.objects.create(
        contact=recent,
        account=accounts[0],
        channel="widget",
        kind="answered",
        occurred_at=timezone.now() - timedelta(days=20),
    )
    return survey


@pytest.mark.parametrize(
    "viewport", [{"width": 1440, "height": 900}, {"width": 390, "height": 844}], ids=["desktop", "phone"]
)
def test_confirm_send_and_watch_the_progress(page, login, screenshot, admin_user, survey_with_audience, viewport):
    survey = survey_with_audience
    device = "phone" if viewport["width"] < 500 else "desktop"
    page.set_viewport_size(viewport)
    login(admin_user)
    # given the survey's page, which has the audience counted in the background for its
    # budget note (the count's task is held back, as when a worker picks it up a moment later)
    with mock.patch("surveys.tasks.survey_send_preview_task.delay") as counting:
        page.goto(f"/surveys/{survey.pk}/edit/")
        page.locator("[data-budget-counting]").wait_for(state="attached")
        # when the admin opens "Email the audience…"
        page.locator("[data-email-audience]").click()
        page.wait_for_url(f"**/surveys/{survey.pk}/send/")
    assert len({c.args for c in counting.call_args_list}) == 1  # one count for the note and the page
    # then the page shows at once that it is counting, polls, and offers no send button yet
    preview = page.locator("#send-preview")
    assert preview.get_attribute("data-status") == "counting" and preview.get_attribute("hx-trigger") == "every 1s"
    assert "Counting the audience" in page.locator("[data-counting]").inner_text()
    assert page.locator("[data-send]").count() == 0 and page.locator("[data-send-counting]").is_disabled()
    # the worker reports its progress (5 of the 13 contacts checked): the poll shows it
    run = counting.call_args.args[1]
    state = SendPreview(status="counting", run=run, scanned=5, total=13, computed_at=timezone.now())
    state.updated_at = state.computed_at
    cache.set(_budget_key(survey), state, 600)
    page.locator("[data-counting] h2", has_text="38%").wait_for()
    assert page.locator("[data-counting] [role=progressbar]").get_attribute("aria-valuenow") == "38"
    screenshot(f"surveys_send_counting_{device}", full_page=False)
    # and once the worker has counted, the poll shows who will and will not be asked, and why
    survey_send_preview_task.apply(args=counting.call_args.args)
    page.locator('#send-preview[data-status="done"]').wait_for()
    assert page.locator("#send-preview").get_attribute("hx-trigger") is None
    assert page.locator('[data-count="audience"]').inner_text() == "13"
    assert page.locator('[data-count="will-ask"]').inner_text() == "10"
    assert page.locator('[data-count="skipped"]').inner_text() == "3"
    assert page.locator('[data-reason="no_email"] td.num').inner_text() == "2"
    assert page.locator('[data-reason="recently_asked"] td.num').inner_text() == "1"
    assert not mail.outbox
    screenshot(f"surveys_send_confirm_{device}")
    # when the admin confirms (the task is held back so the page can be seen while it runs)
    with mock.patch("surveys.tasks.survey_send_job_task.delay") as queued:
        page.locator("[data-send]").click()
        page.wait_for_url("**/sends/*/")
    job = SurveySendJob.objects.get()
    assert queued.call_args.args == (job.id,)
    progress = page.locator("#send-progress")
    assert progress.get_attribute("data-status") == "queued" and progress.get_attribute("hx-trigger") == "every 1s"
    screenshot(f"surveys_send_running_{device}", full_page=False)
    # and the worker sends; the page, polling every second, shows the outcome and stops polling
    while send_job_step(job_id=job.id):
        pass
    page.locator('#send-progress[data-status="done"]').wait_for()
    assert page.locator('[data-count="sent"]').inner_text() == "10"
    assert page.locator('[data-count="skipped"]').first.inner_text() == "3"
    assert page.locator("#send-progress").get_attribute("hx-trigger") is None
    assert len(mail.outbox) == 10
    screenshot(f"surveys_send_done_{device}")
    # back on the survey page: the budget now blocks most of the audience, and the page says so
    page.goto(f"/surveys/{survey.pk}/edit/")
    note = page.locator("[data-budget-note]")
    note.wait_for()
    assert "85%" in note.inner_text()  # 11 of 13
    screenshot(f"surveys_budget_note_{device}", full_page=False)
    page.goto("/surveys/")
    assert page.locator("[data-budget-flag]").count() == 1
    screenshot(f"surveys_list_budget_flag_{device}", full_page=False)


def test_builder_wording_completeness_and_previews(page, login, screenshot, admin_user, survey_with_audience):
    survey = survey_with_audience
    login(admin_user)
    page.goto(f"/surveys/{survey.pk}/edit/")
    assert page.locator('[data-wording="incomplete"]').count() == 3
    # the admin translates the question and the follow-up into Chinese
    page.locator("details#lang-zh summary").click()
    page.fill("#id_t_zh_question", "您有多大可能向同事推荐我们的平台？")
    page.fill("#id_fu_zh_q1", "您最常用什么？ | 报表; 仪表板")
    page.click("text=Save survey")
    page.wait_for_load_state("networkidle")
    zh = page.locator("details#lang-zh")
    assert zh.locator('[data-wording="complete"]').count() == 1
    zh.locator("summary").click()
    preview = zh.locator(".wp-card")
    assert preview.get_attribute("lang") == "zh"
    assert "您有多大可能向同事推荐我们的平台？" in preview.inner_text() and "仪表板" in preview.inner_text()
    assert "ما" not in preview.inner_text()
    zh.scroll_into_view_if_needed()
    screenshot("surveys_builder_wording_zh", full_page=False)
    # and the customer's Chinese page is all Chinese
    survey.refresh_from_db()
    page.goto(f"/s/{survey.public_slug}/?lang=zh")
    body = page.locator("main").inner_text()
    assert "您有多大可能向同事推荐我们的平台？" in body and "报表" in body and "ما" not in body
    screenshot("surveys_public_zh", full_page=False)
