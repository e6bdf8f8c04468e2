"""The health floor in the reader's language (issue 22): the scorecards, the scorecard editor with
every measure's name, unit and description, the backtest, and the account's health card."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import translation

from health.models import Scorecard, ScorecardMeasure
from health.registry import MEASURES
from health.services import health_recompute, today
from tests.factories.accounts import AccountFactory
from tests.factories.usage import UsageEventFactory
from tests.page_language import english_left, get_as, page_text
from usage.rollups import usage_rollup_rebuild

pytestmark = pytest.mark.django_db


def _other_floors_measures() -> list[str]:
    """The words of the measures other floors register (onboarding's): theirs to translate."""
    with translation.override("en"):
        return [
            f"{m.label} {m.unit} {m.description}"
            for m in MEASURES.values()
            if not m.compute.__module__.startswith(("health.", "surveys."))
        ]


@pytest.fixture
def scored(csm_user):
    """A default scorecard ("Standard") on two measures, and two accounts of the CSM scored by it."""
    scorecard = Scorecard.objects.create(name="Standard", is_default=True, red_below=40, green_from=70)
    ScorecardMeasure.objects.create(
        scorecard=scorecard, measure_key="usage_frequency", weight=30, points=[[0, 0], [20, 100]]
    )
    ScorecardMeasure.objects.create(scorecard=scorecard, measure_key="open_tickets", weight=10, points=[[0, 100]])
    accounts = [AccountFactory(name=f"Nordwind {i}", owner=csm_user) for i in range(2)]
    for offset in range(3):
        UsageEventFactory(
            account=accounts[1],
            occurred_at=datetime.combine(today() - timedelta(days=offset), datetime.min.time(), tzinfo=UTC),
        )
    usage_rollup_rebuild()
    health_recompute()
    return scorecard, accounts


def test_the_scorecards_and_the_editor_are_in_arabic(client, admin_user, scored):
    scorecard, _accounts = scored

    listing = get_as(client, admin_user, "ar", reverse("health:scorecard_list")).content.decode()
    editor = get_as(client, admin_user, "ar", reverse("health:scorecard_edit", args=[scorecard.pk])).content.decode()

    assert "بطاقة أداء جديدة" in listing and "تواتر الاستخدام" in listing
    # every registered measure by its Arabic name, unit and description (event names stay as they are)
    assert "الأيام التي شهدت أي استخدام للمنتج في آخر 30 يومًا." in editor
    assert english_left(page_text(listing, classes=["content"]), data=["Standard", "SMB"]) == []
    data = ["Standard", "raw", "score", "SMB", *_other_floors_measures()]
    assert english_left(page_text(editor, classes=["content"]), data=data) == []


def test_the_backtest_is_in_chinese(client, manager_user, scored):
    html = get_as(client, manager_user, "zh-hans", reverse("health:backtest")).content.decode()

    assert "健康评分能预测客户流失吗？" in html
    # the charts' words come from the page
    assert "如果权重是……" in html
    assert english_left(page_text(html, classes=["content"]), data=["Standard", "recompute_health", "backfill"]) == []


def test_the_health_card_is_in_persian(client, csm_user, scored):
    _scorecard, accounts = scored

    html = get_as(client, csm_user, "fa", reverse("accounts:detail", args=[accounts[1].pk])).content.decode()

    card = page_text(html, ids=["health-card"])
    assert "سنجه‌ها" in card and "بسامد استفاده" in card
    assert english_left(card, data=["Standard"]) == []
