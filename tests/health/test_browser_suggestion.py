"""Browser: the backtest page's suggested weights (noise dropped, AUC before / after on later
dates) and the admin's one-click Apply through htmx, on a desktop and on a phone."""

import pytest

from health.backtest import churn_model_train
from health.models import Scorecard, ScorecardMeasure
from health.services import today
from tests.factories.health import seeded_history

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(("device", "viewport"), [("desktop", (1440, 900)), ("phone", (390, 844))])
def test_backtest_suggestion_and_apply(page, login, admin_user, screenshot, device, viewport):
    scorecard = Scorecard.objects.create(name="Default", is_default=True, red_below=40, green_from=70)
    ScorecardMeasure.objects.create(scorecard=scorecard, measure_key="signal", weight=10, points=[[0, 0], [20, 100]])
    ScorecardMeasure.objects.create(scorecard=scorecard, measure_key="noise", weight=30, points=[[0, 0], [100, 100]])
    seeded_history(scorecard=scorecard, as_of=today(), accounts=120, weeks=30)
    churn_model_train(as_of=today())
    page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
    login(admin_user)
    page.goto("/health/backtest/")
    card = page.locator("[data-testid=suggestion]")
    card.wait_for()
    assert card.locator("tr[data-measure=noise] [data-testid=dropped]").is_visible()
    before = float(page.inner_text("[data-testid=auc-before]"))
    after = float(page.inner_text("[data-testid=auc-after]"))
    assert after > before
    assert page.locator("[data-testid=model-horizon-30]").is_visible()
    screenshot(f"health_backtest_suggestion_{device}")
    page.click("[data-testid=apply]")
    page.wait_for_selector("[data-testid=applied]")
    assert "version 2" in page.inner_text("[data-testid=applied]")
    assert page.locator("[data-testid=apply]").count() == 0  # no second click on the same suggestion
    screenshot(f"health_backtest_applied_{device}")
    assert Scorecard.objects.current().get().version == 2
    page.goto("/health/scorecards/")
    assert page.inner_text("[data-testid=version]") == "v2"
    screenshot(f"health_scorecards_versions_{device}")
