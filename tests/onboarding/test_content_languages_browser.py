"""Content per language in a browser: the customer opens the shared plan from a fresh browser (no
login, no cookie) on a desktop and a phone, and reads the map's Arabic stage, milestone and
resource names, right to left, with the untranslated ones in the default language; the admin writes
a stage's Arabic name on the map editor's language tab."""

import pytest

from onboarding import services
from onboarding.models import Milestone, PlanGoal, SuccessVehicle
from tests.factories import ContactFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = [{"width": 1440, "height": 900}, {"width": 390, "height": 844}]


@pytest.fixture
def arabic_plan(published_map, account):
    version = published_map.versions.get()
    setup = version.stages.get(name="Set up")
    services.map_version_translations_set(
        version=version,
        language="ar",
        stages={setup.pk: {"name": "الإعداد", "description": "ربط البيانات وأول اجتماع"}},
        milestones={Milestone.objects.get(title="Kickoff call").pk: {"title": "اجتماع الانطلاق"}},
        vehicles={SuccessVehicle.objects.get(title="Setup course").pk: {"title": "دورة الإعداد"}},
    )
    plan = services.success_plan_start(account=account, success_map=published_map)
    stages = list(plan.map_version.stages.all())
    services.plan_stages_set(plan=plan, current_stage=stages[0], target_stage=stages[1])
    contact = ContactFactory(account=account, name="ليلى حداد", language="ar")
    goal = plan.goals.get(milestone__title="Kickoff call")
    goal.owner_contact, goal.owner_user = contact, None
    goal.save(update_fields=["owner_contact", "owner_user"])
    link = services.share_link_create(plan=plan, contact=contact, days=14)
    return {"url": f"/plan/{services.share_link_token(link)}/", "goal": goal}


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=["desktop", "phone"])
def test_arabic_customer_reads_the_plan_in_arabic_from_a_fresh_browser(browser, live_server, arabic_plan, viewport):
    # given a browser that has never seen the site
    context = browser.new_context(base_url=live_server.url, viewport=viewport, locale="ar")
    page = context.new_page()
    assert context.cookies() == []
    # when the customer opens their link
    page.goto(arabic_plan["url"])
    # then the page is Arabic, right to left, with the map's Arabic names and the rest in the default
    assert page.locator("html").get_attribute("lang") == "ar"
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("#stage-now").inner_text() == "الإعداد"
    assert page.locator("#stage-goal").inner_text() == "Adopt"  # not written in Arabic: the default
    body = page.locator("main").inner_text()
    assert "اجتماع الانطلاق" in body and "Kickoff call" not in body
    assert "Connect a data source" in body and "دورة الإعداد" in body
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"] + 1, "the page scrolls sideways"
    name = "phone" if viewport["width"] < 760 else "desktop"
    page.screenshot(path=_shot(f"onboarding_shared_plan_ar_{name}"), full_page=True)
    # and the goal they own is ticked from the Arabic page
    page.locator("[data-goal='اجتماع الانطلاق'] button").click()
    page.wait_for_selector("[data-goal='اجتماع الانطلاق'].done")
    assert PlanGoal.objects.get(pk=arabic_plan["goal"].pk).completion_source == "customer"
    context.close()


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=["desktop", "phone"])
def test_admin_writes_a_stage_name_in_arabic_on_the_language_tab(
    page, login, screenshot, admin_user, published_map, viewport
):
    page.set_viewport_size(viewport)
    login(admin_user)
    page.goto(f"/success/maps/{published_map.pk}/")
    page.locator("#content-language-tabs").get_by_role("link", name="العربية").click()
    page.wait_for_selector("#map-translations")
    setup = published_map.versions.get().stages.get(name="Set up")
    page.fill(f"#id_stage-{setup.pk}-name", "الإعداد")
    assert page.locator(f"#id_stage-{setup.pk}-name").get_attribute("dir") == "auto"
    name = "phone" if viewport["width"] < 760 else "desktop"
    screenshot(f"onboarding_map_translations_{name}")
    page.click("#save-translations")
    page.wait_for_url("**lang=ar")
    setup.refresh_from_db()
    assert setup.translations == {"ar": {"name": "الإعداد"}}
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"] + 1, "the page scrolls sideways"


def _shot(name: str) -> str:
    from tests.conftest import SCREENSHOTS

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return str(SCREENSHOTS / f"{name}.png")
