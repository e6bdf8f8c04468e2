"""The pre-aggregates are the exact services' output, stored: check they agree."""

from datetime import UTC, datetime, time, timedelta

import pytest
from django.core.management import call_command

from accounts.signals import subscription_changed
from reports import selectors
from reports.models import CohortCell, HealthBandDaily, MetricCube, RefreshLog
from reports.periods import Period, period_presets
from reports.services import cube_periods, reports_refresh
from tests.factories import SupportTicketFactory
from usage import metrics

pytestmark = pytest.mark.django_db


@pytest.fixture
def refreshed(small_book, today):
    t0 = datetime.combine(small_book["last"] + timedelta(days=4), time(9), tzinfo=UTC)
    SupportTicketFactory(
        account=small_book["a"], opened_at=t0, first_response_at=t0 + timedelta(hours=5),
        resolved_at=t0 + timedelta(days=1), agent_replies=1,
    )  # fmt: skip
    log = reports_refresh(as_of=today)
    return log


def test_cube_agrees_with_the_exact_service_for_every_period_and_slice(refreshed, small_book, csm_user, today):
    refresh = selectors.last_refresh()
    assert selectors.cube_is_fresh(refresh)
    slices = [
        selectors.Filters(),
        selectors.Filters(segment="SMB"),
        selectors.Filters(segment="Enterprise", tier="standard"),
        selectors.Filters(owner_id=csm_user.pk),
    ]
    for start, end in cube_periods(today):
        period = Period("p", "p", start, end)
        for filters in slices:
            stored = selectors.period_metrics(period, filters, refresh)
            assert stored["source"] == "pre-aggregate"
            accounts = None if filters.is_everyone else filters.accounts()
            exact = metrics.period_metrics(start=start, end=end, accounts=accounts)
            assert {k: stored["metrics"][k] for k in exact if k not in ("nps", "csat", "ces")} == {
                k: v for k, v in exact.items() if k not in ("nps", "csat", "ces")
            }, (start, end, filters)
            assert stored["usage"] == metrics.product_usage(start=start, end=end, accounts=accounts)


def test_feature_adoption_from_cube_equals_live(small_book, today, csm_user):
    from tests.factories import UsageEventFactory
    from usage.rollups import usage_rollup_rebuild

    last = small_book["last"]
    for account, event in ((small_book["a"], "report"), (small_book["b"], "report"), (small_book["b"], "export"),
                           (small_book["d"], "export"), (small_book["c"], "export")):  # fmt: skip
        UsageEventFactory(
            account=account, event=event, occurred_at=datetime.combine(last + timedelta(days=6), time(8), tzinfo=UTC)
        )
    usage_rollup_rebuild()
    reports_refresh(as_of=today)
    refresh = selectors.last_refresh()
    period = period_presets(today)["last_month"]
    for filters in (selectors.Filters(), selectors.Filters(owner_id=csm_user.pk)):
        comps, source = selectors.period_components(period, filters, refresh)
        assert source == "pre-aggregate"
        stored = selectors.feature_adoption(period, filters, comps, refresh)
        accounts = None if filters.is_everyone else filters.accounts()
        assert stored == metrics.feature_adoption(start=period.start, end=period.end, accounts=accounts)
    everyone, _ = selectors.period_components(period, selectors.Filters(), refresh)
    # paying on the first of this month: a, b, d; Crane (churned) used "export" but does not count
    assert selectors.feature_adoption(period, selectors.Filters(), everyone, refresh) == [
        {"feature": "export", "accounts": 2, "adoption": round(2 / 3, 4)},
        {"feature": "report", "accounts": 2, "adoption": round(2 / 3, 4)},
    ]


def test_mrr_series_from_cube_equals_live(refreshed, today):
    refresh = selectors.last_refresh()
    from_cube = selectors.mrr_months(selectors.Filters(segment="SMB"), today, refresh)
    live = selectors.mrr_months(selectors.Filters(segment="SMB"), today, None)
    assert from_cube == live
    assert from_cube[-1][1] == 360  # a 100 + b 260 today


def test_cohorts_from_cube_equal_live(refreshed, today, csm_user):
    for filters in (selectors.Filters(), selectors.Filters(owner_id=csm_user.pk)):
        rows, source = selectors.cohort_rows(filters, today)
        assert source == "pre-aggregate"
        live = metrics.cohort_table(
            metrics.cohort_cells(months=12, today=today, accounts=None if filters.is_everyone else filters.accounts()),
            months=12,
            today=today,
        )
        assert rows == live
    assert CohortCell.objects.exists()


def test_a_subscription_change_makes_the_figures_live_again(refreshed, small_book, today):
    period = period_presets(today)["last_month"]
    assert selectors.period_metrics(period, selectors.Filters(), selectors.last_refresh())["source"] == "pre-aggregate"
    # when: revenue data changes (data-in sends this after every subscription write)
    subscription_changed.send(sender=None, account_id=small_book["a"].pk, subscription_id=None, change="updated")
    # then: the stale pre-aggregate is not used until the next refresh
    assert selectors.period_metrics(period, selectors.Filters(), selectors.last_refresh())["source"] == "live"
    reports_refresh(as_of=today)
    assert selectors.period_metrics(period, selectors.Filters(), selectors.last_refresh())["source"] == "pre-aggregate"


def test_refresh_is_idempotent(refreshed, today):
    rows = MetricCube.objects.count()
    reports_refresh(as_of=today)
    assert MetricCube.objects.count() == rows
    assert RefreshLog.objects.filter(finished_at__isnull=False).count() == 2


def test_health_trend_counts_snapshots(small_book, today):
    from health.models import HealthScore

    for account, band in ((small_book["a"], "red"), (small_book["b"], "green"), (small_book["c"], "green")):
        HealthScore.objects.create(account=account, day=today, score=50, band=band, measures={})
        HealthScore.objects.create(account=account, day=today - timedelta(days=7), score=50, band="yellow", measures={})
    HealthScore.objects.create(
        account=small_book["d"], day=today - timedelta(days=3), score=50, band="red", measures={}
    )
    reports_refresh(as_of=today)
    trend = selectors.health_trend(selectors.Filters())
    assert trend[-2:] == [
        {"day": today - timedelta(days=7), "red": 0, "yellow": 3, "green": 0},
        {"day": today, "red": 1, "yellow": 0, "green": 2},
    ]
    smb = selectors.health_trend(selectors.Filters(segment="SMB"))
    assert smb[-1] == {"day": today, "red": 1, "yellow": 0, "green": 1}
    assert HealthBandDaily.objects.filter(day=today - timedelta(days=3)).count() == 0  # weekly points only


def test_refresh_command(small_book, capsys):
    call_command("refresh_reports", "--as-of", "2024-05-15")
    assert "Refreshed" in capsys.readouterr().out
    assert RefreshLog.objects.get().as_of.isoformat() == "2024-05-15"


def test_refresh_task_runs_the_service(small_book):
    from reports.tasks import reports_refresh_task

    reports_refresh_task.delay(small_book["month"].isoformat())
    log = RefreshLog.objects.get()
    assert log.as_of == small_book["month"] and log.finished_at is not None
    assert MetricCube.objects.filter(start=small_book["last"], end=small_book["month"]).exists()


@pytest.mark.parametrize(
    ("values", "expected"),
    [([], None), ([5], 5.0), ([1, 3], 2.0), ([4, 1, 9], 4.0), ([2, 2, 7, 10], 4.5), ([0, 0, 0, 30], 0.0)],
)
def test_histogram_median_equals_statistics_median(values, expected):
    hist: dict[str, int] = {}
    for v in values:
        hist[str(v)] = hist.get(str(v), 0) + 1
    assert selectors.histogram_median(hist) == expected


def test_ttfv_per_cohort_from_onboarding(small_book, today, csm_user):
    """Delta (contract started last month + 3 days) reaches value 4 days in; Bolt's and the
    others' contracts started a year ago: outside the 12 cohort months."""
    from tests.factories import UsageEventFactory

    d = small_book["d"]
    started = small_book["last"] + timedelta(days=3)
    UsageEventFactory(
        account=d,
        event="report_created",
        occurred_at=datetime.combine(started + timedelta(days=4), time(9), tzinfo=UTC),
    )
    live = selectors.cohort_ttfv(selectors.Filters(), today)
    assert live == {small_book["last"]: {"accounts": 1, "reached": 1, "median_days": 4.0}}
    reports_refresh(as_of=today)
    assert selectors.cohort_ttfv(selectors.Filters(), today) == live
    assert selectors.cohort_ttfv(selectors.Filters(owner_id=csm_user.pk), today) == {}


def test_survey_scores_from_cube_equal_surveys_metrics(small_book, today, csm_user):
    from surveys.metrics import survey_scores
    from tests.factories.surveys import SurveyResponseFactory

    last = small_book["last"]
    answers = [("nps", "a", 10), ("nps", "a", 3), ("nps", "c", 9), ("csat", "b", 4), ("csat", "d", 2),
               ("ces", "b", 3), ("ces", "c", 6), ("nps", None, 0)]  # fmt: skip
    for i, (kind, key, score) in enumerate(answers):
        SurveyResponseFactory(
            kind=kind, account=small_book[key] if key else None, score=score,
            submitted_at=datetime.combine(last + timedelta(days=i), time(10), tzinfo=UTC),
        )  # fmt: skip
    reports_refresh(as_of=today)
    refresh = selectors.last_refresh()
    period = period_presets(today)["last_month"]
    stored = selectors.period_metrics(period, selectors.Filters(), refresh)
    assert stored["source"] == "pre-aggregate"
    assert stored["survey"] == survey_scores(start=period.start, end=period.end)  # incl. the account-less answer
    smb = selectors.period_metrics(period, selectors.Filters(segment="SMB"), refresh)
    assert smb["survey"] == survey_scores(
        start=period.start, end=period.end, account_ids=[small_book["a"].pk, small_book["b"].pk]
    )
    from_cube = selectors.nps_trend(selectors.Filters(owner_id=csm_user.pk), today, refresh=refresh)
    from django.core.cache import cache

    cache.clear()
    assert from_cube == selectors.nps_trend(selectors.Filters(owner_id=csm_user.pk), today, refresh=None)
    assert from_cube[-2]["nps"] == 0.0  # last month: one promoter, one detractor of Carl's
    rows = {r["key"]: r for r in selectors.scorecard_rows(period=period, field="owner_id", refresh=refresh)}
    live = {r["key"]: r for r in selectors.scorecard_rows(period=period, field="owner_id", refresh=None)}
    assert rows == live


def test_expansion_signals_from_the_pre_aggregate(small_book, today, csm_user):
    from tests.factories import ContactFactory, UsageEventFactory
    from usage.rollups import usage_rollup_rebuild

    a = small_book["a"]
    sub_a = a.subscriptions.get()
    sub_a.seats, sub_a.entitlements = 2, {"report": 3}
    sub_a.save()
    for i in range(3):
        UsageEventFactory(account=a, contact=ContactFactory(account=a), event="report",
                          occurred_at=datetime.combine(today - timedelta(days=i), time(1), tzinfo=UTC))  # fmt: skip
    usage_rollup_rebuild()
    live, source = selectors.expansion_signals_for(owner_id=csm_user.pk, today=today)
    assert source == "live"
    assert [(s["account_name"], s["what"], s["ratio"]) for s in live] == [
        ("Acme", "seats", 1.5),
        ("Acme", "report", 1.0),
    ]
    reports_refresh(as_of=today)
    stored, source = selectors.expansion_signals_for(owner_id=csm_user.pk, today=today)
    assert source == "pre-aggregate" and stored == live


def test_refresh_puts_the_planner_settings_back(small_book, today):
    """The refresh turns JIT off and raises work_mem on PostgreSQL for its own queries only."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL settings")

    def settings():
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('jit'), current_setting('work_mem')")
            return cursor.fetchone()

    before = settings()
    reports_refresh(as_of=today)
    assert settings() == before
