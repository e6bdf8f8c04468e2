"""The widget as a customer meets it: a customer's product page on another origin (served by
the test, as /demo-host/ serves one in development) loads the one snippet, the survey appears
in its shadow root, a customer answers 3 with a comment, and the CSM then sees the answer on
the account page and the detractor's task in the inbox. Screenshots for a person to look at."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from demo.views import DEMO_WORKSPACE
from surveys.models import SurveyResponse, SurveyWorkspace
from surveys.selectors import cache_clear
from tests.factories import AccountFactory, ContactFactory
from tests.factories.surveys import SurveyFactory, SurveyResponseFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


HOST_PAGE = """<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Acme Analytics</title>
<style>/* the host's own, hostile CSS: the widget's shadow root must not care */
* {{ font-family: Georgia, serif; }} button {{ background: hotpink !important; font-size: 30px; }}
body {{ margin: 0; background: #0f172a; color: #e2e8f0; }} header {{ padding: 14px 24px; background: #1e293b; }}</style>
</head><body><header><b>Acme Analytics</b> · {user}</header><main style="padding:24px">Dashboards</main>
<script async src="{src}" data-workspace="{key}" data-user-id="{user}" data-user-hash="{hash}"
 data-language="{lang}"></script></body></html>"""


class CustomerSite:
    """A customer's product, served by the test on its own port of this machine (another origin
    than the app, in the same loopback address space, as a real local host would be)."""

    def __init__(self):
        site = self
        self.html = b""

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's name)
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(site.html)))
                self.end_headers()
                self.wfile.write(site.html)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def customer_site():
    site = CustomerSite()
    yield site
    site.close()


def open_host_page(page, site: CustomerSite, workspace, user_id: str, language: str = "en") -> None:
    """The customer's product page, its server having signed the user id with the workspace's
    secret (as /demo-host/ does in development); the widget's script and calls go to the app."""
    from django.urls import reverse

    site.html = HOST_PAGE.format(
        lang=language,
        src=survey_app_url() + reverse("widget:script"),
        key=workspace.key,
        user=user_id,
        hash=workspace.user_hash(user_id),
    ).encode()
    page.goto(f"{site.url}/acme/dashboard")


def survey_app_url() -> str:
    from django.conf import settings

    return settings.SITE_URL


@pytest.fixture
def host_setup(live_server, settings, csm_user, customer_site):
    from demo.playbooks import default_playbooks_create

    settings.SITE_URL = live_server.url
    host = customer_site
    default_playbooks_create()  # "Detractor follow-up" closes the loop
    workspace = SurveyWorkspace.objects.create(name=DEMO_WORKSPACE, allowed_origins=host.url)
    survey = SurveyFactory(workspace=workspace, kind="nps", name="Product NPS")
    account = AccountFactory(name="Globex", owner=csm_user)
    contact = ContactFactory(account=account, external_id="demo-user", name="Dana Scully", language="en")
    ContactFactory(account=AccountFactory(owner=csm_user), external_id="arabic-user", name="Layla", language="ar")
    cache_clear()
    return host, survey, account, contact, workspace


def test_widget_on_the_host_page_answer_reaches_the_csm(page, login, screenshot, csm_user, host_setup):
    host, survey, account, contact, workspace = host_setup
    requests = []
    page.on("request", lambda r: requests.append(r.url) if "/widget/" in r.url else None)
    # given the customer's product on its own origin
    open_host_page(page, host, workspace, "demo-user")
    widget = page.locator("[data-pulse-survey] [role=dialog]")
    widget.wait_for()
    assert "How likely are you to recommend us" in widget.inner_text()
    # the calls really went to the app's origin, not the host's
    assert requests and all(url.startswith(survey_app_url()) for url in requests)
    assert not survey_app_url().startswith(host.url)
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
    host, *_, workspace = host_setup
    page.set_viewport_size({"width": 390, "height": 760})  # a phone
    open_host_page(page, host, workspace, "arabic-user", "ar")
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
    host, *_, workspace = host_setup
    SurveyWorkspace.objects.update(allowed_origins="https://somewhere-else.example.com")
    cache_clear()
    open_host_page(page, host, workspace, "demo-user")
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-pulse-survey]").count() == 0


def test_report_page_draws_its_charts(page, login, screenshot, manager_user, host_setup):
    _, survey, account, _, _ = host_setup
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
    _, survey, *_ = host_setup
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
