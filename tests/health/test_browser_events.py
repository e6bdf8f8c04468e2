"""Browser: the event-measure editor on desktop and on a phone."""

from datetime import UTC, datetime, timedelta

import pytest

from health.models import EventMeasure
from tests.factories.accounts import AccountFactory
from tests.factories.usage import UsageEventFactory
from usage.rollups import usage_rollup_rebuild

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _usage():
    now = datetime.now(UTC)
    for i in range(5):
        account = AccountFactory(name=f"Customer {i}")
        for offset in range(10):
            UsageEventFactory(account=account, event="report_viewed", occurred_at=now - timedelta(days=offset))
            if i % 2:
                UsageEventFactory(account=account, event="export_run", occurred_at=now - timedelta(days=offset))
    usage_rollup_rebuild()


@pytest.mark.parametrize("viewport", [{"width": 1440, "height": 900}, {"width": 390, "height": 844}])
def test_event_measure_editor(page, login, admin_user, screenshot, viewport):
    _usage()
    page.set_viewport_size(viewport)
    login(admin_user)
    page.goto("/health/scorecards/")
    page.click("[data-testid=event-measures-link]")
    page.wait_for_selector("[data-testid=event-measures]")
    assert "report_viewed · 5" in page.inner_text("#event-measure-form")
    page.fill("#id_label", "Reports viewed per user")
    page.fill("#id_event_names", "report_viewed")
    page.select_option("#id_kind", "rate_per_user")
    page.click("#event-measure-form button[type=submit]")
    page.wait_for_selector("text=Reports viewed per user")
    assert EventMeasure.objects.get().kind == "rate_per_user"
    # A bad list of names shows on the field.
    page.fill("#id_label", "Broken")
    page.fill("#id_event_names", " , ")
    page.click("#event-measure-form button[type=submit]")
    page.wait_for_selector("text=Name at least one event.")
    name = "event-measures-phone" if viewport["width"] < 760 else "event-measures"
    screenshot(name)
    # Edit it, then find it in the scorecard editor.
    page.goto("/health/event-measures/")
    page.get_by_role("link", name="Reports viewed per user").click()
    page.fill("#id_event_names", "report_viewed, export_run")
    page.click("#event-measure-form button[type=submit]")
    page.wait_for_selector("[data-testid=event-measures]")
    assert EventMeasure.objects.get().event_names == ["report_viewed", "export_run"]
