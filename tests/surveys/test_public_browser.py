"""The customers' survey forms submitted from a fresh Chromium (a new browser context per test,
no cookie, no login): the public link in English, in Arabic (right to left) and on a phone,
a personal link, the e-mail's one-click link and its comment page, a changed answer confirmed,
and the rate limit's page. Screenshots for a person to look at."""

import re

import pytest
from django.core import mail
from django.core.cache import cache

from surveys.models import SurveyResponse
from surveys.services import survey_link_for_contact, survey_send
from tests.factories import AccountFactory, ContactFactory
from tests.factories.surveys import SurveyFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FOLLOW_UPS = [{"id": "area", "type": "single", "label": "Which area?", "options": ["Reports", "Billing"]}]


@pytest.fixture
def survey(live_server, settings):
    settings.SITE_URL = live_server.url
    cache.clear()  # rate-limit counters are keyed by survey id
    yield SurveyFactory(kind="nps", workspace=None, follow_ups=FOLLOW_UPS, name="Product NPS")
    cache.clear()


def pick_score(page, score: int) -> None:
    page.locator(".scale label", has=page.locator(f"input[value='{score}']")).click()


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def test_public_survey_answered_in_a_fresh_browser(page, screenshot, survey):
    # given a customer who opens the public link in a new browser
    page.goto(f"/s/{survey.public_slug}/")
    assert page.context.cookies() == []  # the page needs no cookie
    screenshot("surveys_public_form_en")
    # when they pick 8, say why, choose an area and send
    pick_score(page, 8)
    page.fill("#comment", "Dashboards are great, exports are slow")
    page.get_by_label("Reports").check()
    page.get_by_role("button", name="Send").click()
    # then they are thanked and the answer is stored, anonymous
    page.get_by_role("status").wait_for()
    assert "Thank you" in page.inner_text("h1")
    screenshot("surveys_public_thanks_en")
    answer = SurveyResponse.objects.get()
    assert (answer.score, answer.comment, answer.answers, answer.contact_id, answer.channel) == (
        8,
        "Dashboards are great, exports are slow",
        {"area": "Reports"},
        None,
        "link",
    )


def test_arabic_public_survey_is_right_to_left_and_answered(page, screenshot, survey):
    page.goto(f"/s/{survey.public_slug}/?lang=ar")
    assert page.get_attribute("html", "dir") == "rtl" and page.get_attribute("html", "lang") == "ar"
    assert "توصي" in page.inner_text("h1")
    zero = page.locator(".scale label", has=page.locator("input[value='0']")).bounding_box()
    ten = page.locator(".scale label", has=page.locator("input[value='10']")).bounding_box()
    assert zero["x"] > ten["x"]  # the scale reads from the right
    pick_score(page, 2)
    page.fill("#comment", "التقارير بطيئة جدا")
    screenshot("surveys_public_form_ar")
    page.get_by_role("button", name="إرسال").click()
    page.get_by_role("status").wait_for()
    screenshot("surveys_public_thanks_ar")
    answer = SurveyResponse.objects.get()
    assert (answer.score, answer.comment, answer.language) == (2, "التقارير بطيئة جدا", "ar")


def test_public_survey_on_a_phone(page, screenshot, survey):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/s/{survey.public_slug}/")
    # nothing wider than the phone: no sideways scrolling
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    for score in (0, 10):
        box = page.locator(".scale label", has=page.locator(f"input[value='{score}']")).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390 and box["height"] >= 40  # a thumb's target
    screenshot("surveys_public_form_phone")
    pick_score(page, 10)
    page.get_by_role("button", name="Send").click()
    page.get_by_role("status").wait_for()
    screenshot("surveys_public_thanks_phone")
    assert SurveyResponse.objects.get().score == 10


def test_personal_link_answered_in_a_fresh_browser(page, survey):
    contact = ContactFactory(account=AccountFactory(name="Globex"), name="Dana Scully")
    page.goto(path_of(survey_link_for_contact(survey=survey, contact=contact)))
    pick_score(page, 6)
    page.fill("#comment", "Support is slow")
    page.get_by_role("button", name="Send").click()
    page.get_by_role("status").wait_for()
    answer = SurveyResponse.objects.get()
    assert (answer.score, answer.comment, answer.contact_id, answer.account_id) == (
        6,
        "Support is slow",
        contact.id,
        contact.account_id,
    )


def test_email_click_then_comment_and_a_later_click_confirmed(page, screenshot, survey):
    contact = ContactFactory(account=AccountFactory(), email="dana@globex.example", name="Dana")
    survey_send(survey=survey, contact_ids=[contact.id])
    links = [path_of(u) for u in re.findall(r"http://\S+/s/e/\S+/\d+/", mail.outbox[-1].body)]
    # the customer clicks 7 in the e-mail: recorded, and the comment page opens
    page.goto(links[7])
    assert "is recorded" in page.inner_text("[role=status]")
    assert SurveyResponse.objects.get().score == 7
    screenshot("surveys_email_comment_page")
    page.fill("#comment", "Good, but the app is slow on Mondays")
    page.get_by_role("button", name="Send").click()
    page.wait_for_selector("h1[role=status]")
    assert SurveyResponse.objects.get().comment == "Good, but the app is slow on Mondays"
    # a later click on 9 changes nothing until the customer confirms on the page
    page.goto(links[9])
    assert "Your answer was 7" in page.inner_text("[role=status]")
    assert page.locator("input[name=score][value='9']").is_checked()
    assert page.input_value("#comment") == "Good, but the app is slow on Mondays"
    screenshot("surveys_email_confirm_change")
    assert SurveyResponse.objects.get().score == 7
    page.get_by_role("button", name="Send").click()
    page.wait_for_selector("h1[role=status]")
    answer = SurveyResponse.objects.get()
    assert (answer.score, answer.comment) == (9, "Good, but the app is slow on Mondays")


def test_rate_limited_customer_keeps_their_answer_on_the_page(page, screenshot, survey, settings):
    settings.SURVEYS_PUBLIC_ANSWERS_PER_HOUR = 1
    page.goto(f"/s/{survey.public_slug}/")
    pick_score(page, 9)
    page.get_by_role("button", name="Send").click()
    page.get_by_role("status").wait_for()
    # a second anonymous answer from the same address within the hour
    page.goto(f"/s/{survey.public_slug}/")
    pick_score(page, 4)
    page.fill("#comment", "Please keep this text")
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.get_by_role("button", name="Send").click()
    assert posted.value.status == 429
    page.get_by_role("alert").wait_for()
    assert "came from your network" in page.inner_text("[role=alert]")
    assert page.input_value("#comment") == "Please keep this text"
    assert page.locator("input[name=score][value='4']").is_checked()
    screenshot("surveys_public_rate_limited")
    assert SurveyResponse.objects.count() == 1
