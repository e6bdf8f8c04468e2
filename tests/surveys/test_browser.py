"""The widget as a customer meets it: the demo host page on another origin loads the one
snippet, the survey appears in its shadow root, a customer answers 3 with a comment, and the
CSM then sees the answer on the account page and the detractor's task in the inbox.
Screenshots for a person to look at."""

from urllib.parse import urlsplit

import pytest

from surveys.models import SurveyResponse, SurveyWorkspace
from surveys.selectors import cache_clear
from surveys.views.demo_host import DEMO_WORKSPACE
from tests.factories import AccountFactory, ContactFactory
from tests.factories.surveys import SurveyFactory, SurveyResponseFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def other_origin(live_url: str) -> str:
    """The same server under its other name: localhost <-> 127.0.0.1 (a different origin)."""
    parts = urlsplit(live_url)
    host = "127.0.0.1" if parts.hostname == "localhost" else "localhost"
    return f"{parts.scheme}://{host}:{parts.port}"


def survey_app_url() -> str:
    from django.conf import settings

    return settings.SITE_URL


@pytest.fixture
def host_setup(live_server, settings, csm_user):
    from playbooks.demo import default_playbooks_create

    settings.SITE_URL = live_server.url
    host = other_origin(live_server.url)
    default_playbooks_create()  # "Detractor follow-up" closes the loop
    workspace = SurveyWorkspace.objects.create(name=DEMO_WORKSPACE, allowed_origins=host)
    survey = SurveyFactory(workspace=workspace, kind="nps", name="Product NPS")
    account = AccountFactory(name="Globex", owner=csm_user)
    contact = ContactFactory(account=account, external_id="demo-user", name="Dana Scully", language="en")
    ContactFactory(account=AccountFactory(owner=csm_user), external_id="arabic-user", name="Layla", language="ar")
    cache_clear()
    return host, survey, account, contact


def test_widget_on_the_host_page_answer_reaches_the_csm(page, login, screenshot, csm_user, host_setup):
    host, survey, account, contact = host_setup
    requests = []
    page.on("request", lambda r: requests.append(r.url) if "/widget/" in r.url else None)
    # given the pretend product on its own origin
    page.goto(f"{host}/demo-host/?user=demo-user")
    widget = page.locator("[data-pulse-survey] [role=dialog]")
    widget.wait_for()
    assert "How likely are you to recommend us" in widget.inner_text()
    # the calls really went to the app's origin, not the host's
    assert requests and all(url.startswith(survey_app_url()) for url in requests)
    assert not survey_app_url().startswith(host)
    screenshot("surveys_widget_on_host_page", full_page=False)
    # when the customer answers 3, by keyboard for the comment, and sends
    page.get_by_role("radio", name="3", exact=True).click()
    comment = page.locator("[data-pulse-survey] textarea#c")
    comment.wait_for()
    comment.fill("Reports time out every morning")
    page.locator("[data-pulse-survey] button.go").click()
    page.locator("[data-pulse-survey] [role=status]", has_text="sorry").wait_for()
    screenshot("surveys_widget_thanks", full_page=False)
    answer = SurveyResponse.objects.get()
    assert (answer.score, answer.comment, answer.channel, answer.account_id) == (
        3,
        "Reports time out every morning",
        "widget",
        account.id,
    )
    # then the CSM sees it on the account page
    login(csm_user)
    page.goto(f"/accounts/{account.id}/")
    panel = page.locator("#panel-surveys")
    panel.wait_for()
    assert "Reports time out every morning" in panel.inner_text()
    assert "Dana Scully" in panel.inner_text()
    screenshot("surveys_account_panel")
    # and the detractor's task waits in the CSM's inbox (playbooks, via the Celery follow-up)
    page.goto("/tasks/")
    row = page.get_by_text("NPS 3 (detractor) from Dana Scully").first
    row.wait_for()
    assert "Globex" in page.content()
    screenshot("surveys_detractor_task_in_inbox")


def test_arabic_widget_is_right_to_left_and_keyboard_usable(page, screenshot, host_setup):
    host, *_ = host_setup
    page.set_viewport_size({"width": 390, "height": 760})  # a phone
    page.goto(f"{host}/demo-host/?user=arabic-user&lang=ar")
    dialog = page.locator("[data-pulse-survey] [role=dialog]")
    dialog.wait_for()
    assert dialog.get_attribute("dir") == "rtl" and dialog.get_attribute("lang") == "ar"
    assert "توصي" in dialog.inner_text()
    box = dialog.bounding_box()
    assert box["width"] == pytest.approx(390, abs=2)  # a bottom sheet on a phone
    # keyboard: focus the first score, arrow keys move (reversed in RTL), Enter picks
    page.get_by_role("radio", name="0", exact=False).first.focus()
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    focused = page.evaluate("() => document.querySelector('[data-pulse-survey]').shadowRoot.activeElement.textContent")
    assert focused == "2"
    screenshot("surveys_widget_arabic_rtl", full_page=False)
    page.keyboard.press("Enter")
    page.locator("[data-pulse-survey] textarea#c").wait_for()
    assert SurveyResponse.objects.get().language == "ar"
    # Escape closes the widget
    page.keyboard.press("Escape")
    page.locator("[data-pulse-survey]").wait_for(state="detached")


def test_forbidden_origin_gets_no_widget(page, live_server, settings, host_setup):
    host, *_ = host_setup
    SurveyWorkspace.objects.update(allowed_origins="https://somewhere-else.example.com")
    cache_clear()
    page.goto(f"{host}/demo-host/?user=demo-user")
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-pulse-survey]").count() == 0


def test_report_page_draws_its_charts(page, login, screenshot, manager_user, host_setup):
    _, survey, account, _ = host_setup
    for i, score in enumerate([10, 9, 9, 8, 7, 3, 6, 10, 2, 9]):
        SurveyResponseFactory(
            account=account, survey=survey, kind="nps", score=score, comment=f"Comment {i} about reports"
        )
    for score in (5, 4, 2):
        SurveyResponseFactory(account=account, kind="csat", score=score)
    login(manager_user)
    page.goto("/surveys/report/")
    page.wait_for_function("() => window.Chart && Chart.getChart(document.getElementById('trend'))")
    page.wait_for_load_state("networkidle")
    assert "Verbatims" in page.content()
    page.wait_for_timeout(1200)  # let the charts' entry animation finish before the picture
    screenshot("surveys_report")


def test_builder_page(page, login, screenshot, admin_user, host_setup):
    _, survey, _, _ = host_setup
    login(admin_user)
    page.goto(f"/surveys/{survey.pk}/edit/")
    page.locator("details.lang summary", has_text="العربية").click()
    page.fill("#id_t_ar_question", "ما مدى احتمال أن توصي بمنتجنا؟")
    page.click("text=Save survey")
    page.wait_for_load_state("networkidle")
    survey.refresh_from_db()
    assert survey.translations["ar"]["question"] == "ما مدى احتمال أن توصي بمنتجنا؟"
    page.goto("/surveys/")
    screenshot("surveys_list")
    page.goto(f"/surveys/{survey.pk}/edit/")
    page.locator("details.lang summary", has_text="العربية").click()
    screenshot("surveys_builder")
