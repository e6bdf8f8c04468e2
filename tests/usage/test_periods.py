"""usage.periods answers many periods at once with exactly the figures the
single-period functions give (the reports' pre-aggregate relies on it)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from demo.run import run_demo
from usage import metrics
from usage.periods import MASK_BITS, feature_use_counts_periods, usage_components_periods

pytestmark = pytest.mark.django_db

GROUPS = [(), ("segment",), metrics.GROUP_FIELDS]


def _sorted(rows: list[dict]) -> list[dict]:
    return sorted(rows, key=lambda r: sorted((k, str(v)) for k, v in r.items()))


@pytest.fixture
def demo_periods():
    """A small seeded book; calendar months, quarters and years to date (the reports' kind of
    periods), plus short, overlapping and empty ones."""
    run_demo(n_accounts=25, seed=3, log=lambda m: None, quiet=True, only=["accounts"])
    today = timezone.now().date()
    months = metrics.month_starts(last=today, months=13)
    periods = [(a, b) for a, b in zip(months, months[1:], strict=False)]
    periods += [(months[0], months[-1]), (months[-1], today), (months[-4], today), (months[-7], months[-4])]
    extra = [
        (today - timedelta(days=3), today),  # shorter than a week
        (today - timedelta(days=10), today - timedelta(days=2)),
        (today - timedelta(days=45), today - timedelta(days=44)),  # one day
        (today - timedelta(days=800), today - timedelta(days=700)),  # before the history
        (today - timedelta(days=200), today + timedelta(days=5)),  # ends in the future
    ]
    return [p for p in periods if p[0] < p[1]] + extra


@pytest.mark.parametrize("group_by", GROUPS)
def test_usage_components_for_many_periods_equal_one_period_at_a_time(demo_periods, group_by):
    # when
    many = usage_components_periods(periods=demo_periods, group_by=group_by)
    # then
    assert set(many) == set(demo_periods)
    for start, end in demo_periods:
        one = metrics.usage_components(start=start, end=end, group_by=group_by)
        assert _sorted(many[(start, end)]) == _sorted(one), (start, end)
    assert any(row["mau"] and row["feature_accounts"] for rows in many.values() for row in rows)


@pytest.mark.parametrize("group_by", GROUPS)
def test_feature_use_counts_for_many_periods_equal_one_period_at_a_time(demo_periods, group_by):
    many = feature_use_counts_periods(periods=demo_periods, group_by=group_by)
    for start, end in demo_periods:
        one = metrics.feature_use_counts(start=start, end=end, group_by=group_by)
        assert _sorted(many[(start, end)]) == _sorted(one), (start, end)
    assert any(many.values())


def test_a_slice_and_more_periods_than_one_mask_holds(demo_periods, monkeypatch):
    """Past MASK_BITS periods the work is split into batches; a slice filters every part."""
    import usage.periods as usage_periods

    monkeypatch.setattr(usage_periods, "MASK_BITS", 4)
    assert usage_periods.MASK_BITS < len(demo_periods) <= 4 * MASK_BITS
    accounts = metrics.account_slice(segment="SMB")
    many = usage_components_periods(periods=demo_periods, accounts=accounts, group_by=("tier",))
    features = feature_use_counts_periods(periods=demo_periods, accounts=accounts)
    for start, end in demo_periods:
        assert _sorted(many[(start, end)]) == _sorted(
            metrics.usage_components(start=start, end=end, accounts=accounts, group_by=("tier",))
        )
        assert _sorted(features[(start, end)]) == _sorted(
            metrics.feature_use_counts(start=start, end=end, accounts=accounts)
        )
