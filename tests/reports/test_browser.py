"""The dashboards in Chromium: charts draw (canvas pixels are not blank), filters swap the body
through htmx, and screenshots land in artifacts/screenshots/ for a person to look at."""

from datetime import UTC, datetime, time, timedelta

import pytest

from reports.services import reports_refresh

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAINTED_PIXELS = """(id) => {
  const canvas = document.querySelector(`canvas[data-chart="${id}"]`);
  if (!canvas || !window.Chart || !Chart.getChart(canvas)) return -1;
  const ctx = canvas.getContext("2d");
  const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
  let painted = 0;
  for (let i = 3; i < data.length; i += 4) if (data[i] > 0) painted++;
  return painted;
}"""


@pytest.fixture
def rich_book(small_book, today):
    from health.models import HealthScore
    from tests.factories.surveys import SurveyResponseFactory

    bands = {"a": "red", "b": "green", "c": "yellow", "d": "green"}
    for week in range(0, 13):
        day = today - timedelta(days=7 * week)
        for key, band in bands.items():
            HealthScore.objects.create(
                account=small_book[key], day=day, score=40, band=band if week % 3 else "yellow", measures={}
            )
    for months_back, scores in enumerate([(10, 9, 3), (10, 8, 9), (2, 9, 10, 10)]):
        when = datetime.combine(today.replace(day=1) - timedelta(days=20 + 30 * months_back), time(10), tzinfo=UTC)
        for score in scores:
            SurveyResponseFactory(kind="nps", account=small_book["a"], score=score, submitted_at=when)
    reports_refresh(as_of=today)
    return small_book


def _charts_painted(page, ids):
    page.wait_for_function("() => window.Chart !== undefined")
    return {chart: page.evaluate(PAINTED_PIXELS, chart) for chart in ids}


def test_dashboard_charts_render_and_filters_swap(page, login, screenshot, manager_user, rich_book):
    login(manager_user)
    page.goto("/dashboard/?period=last_month")
    ids = ["chart-waterfall", "chart-mrr", "chart-bands", "chart-trend", "chart-nps", "chart-renewals"]
    painted = _charts_painted(page, ids)
    assert all(count > 200 for count in painted.values()), painted
    screenshot("reports_dashboard")
    # when: the segment filter changes, htmx swaps the body and the charts are drawn again
    page.select_option("select[name=segment]", "Enterprise")
    page.wait_for_url("**segment=Enterprise**")
    page.wait_for_load_state("networkidle")
    assert "Enterprise" in page.url
    painted = _charts_painted(page, ["chart-waterfall", "chart-mrr"])
    assert all(count > 200 for count in painted.values()), painted
    assert page.locator("[data-kpi=logo_churn_rate] .value").inner_text() == "100.0%"  # Crane churned
    screenshot("reports_dashboard_enterprise")


def test_home_scorecards_and_cohorts(page, login, screenshot, csm_user, manager_user, rich_book):
    login(csm_user)
    page.goto("/")
    assert "Acme" in page.locator("text=My accounts at risk >> xpath=../..").inner_text()
    screenshot("reports_home")
    page.goto("/cohorts/?measure=revenue")
    assert page.locator("table.heatmap td.cell").count() > 0
    screenshot("reports_cohorts")
    page.context.clear_cookies()
    login(manager_user)
    page.goto("/scorecards/?period=last_month")
    assert page.locator("text=By CSM").is_visible()
    screenshot("reports_scorecards")


# The horizontal extent, in canvas pixels, of the leftmost and rightmost tick labels of a chart's x axis.
LABEL_EDGES = """(id) => {
  const chart = Chart.getChart(document.querySelector(`canvas[data-chart="${id}"]`));
  const x = chart.scales.x;
  const sizes = x._getLabelSizes();
  const angle = x.labelRotation * Math.PI / 180;
  const extent = (i) => {
    const px = x.getPixelForTick(i), w = sizes.widths[i];
    return angle ? [px - Math.cos(angle) * w, px + Math.sin(angle) * sizes.heights[i]] : [px - w / 2, px + w / 2];
  };
  const ends = [extent(0), extent(x.ticks.length - 1)];
  return { left: Math.min(...ends.map((e) => e[0])), right: Math.max(...ends.map((e) => e[1])), width: chart.width };
}"""


@pytest.mark.parametrize("language", ["ar", "en"])
def test_the_mrr_charts_edge_labels_are_not_cut_off(page, login, screenshot, manager_user, rich_book, language):
    """In Arabic the axis runs right to left (static/js/i18n.js) and the newest month, the longest
    label ("M d Y"), stands at the left edge: Chart.js left it no room there."""
    manager_user.language = language
    manager_user.save(update_fields=["language"])
    login(manager_user)
    page.goto("/dashboard/?period=last_month", wait_until="networkidle")
    _charts_painted(page, ["chart-mrr"])
    for viewport in ({"width": 1440, "height": 900}, {"width": 390, "height": 844}):
        page.set_viewport_size(viewport)
        page.wait_for_timeout(250)
        edges = page.evaluate(LABEL_EDGES, "chart-mrr")
        assert edges["left"] >= -0.5 and edges["right"] <= edges["width"] + 0.5, (viewport, edges)
    page.set_viewport_size({"width": 1440, "height": 900})
    page.wait_for_timeout(250)
    page.locator("canvas[data-chart=chart-mrr]").scroll_into_view_if_needed()
    screenshot(f"reports_mrr_chart_{language}", full_page=False)
