"""usage.metrics against hand-computed fixtures (docs/metrics.md works the same numbers).

The book, period [2024-01-01, 2024-02-01):

    A  100 from 2023-06-01, open                               -> active both days, unchanged
    B  200 2023-06-01..2024-01-15, then 300 from 2024-01-15    -> upgrade inside: expansion 100
    C  300 2023-06-01..2024-01-20, then 100 from 2024-01-20    -> downgrade inside: contraction 200
    D  400 2023-06-01..2024-01-10                              -> churned 400
    E  trial 2023-12-15..2024-01-05, 50 from 2024-01-05        -> new 50, a trial that converted
    F  80 2023-01-01..2023-07-01, 120 from 2024-01-25          -> reactivation 120
    H  60 2023-02-01..2024-01-31, 60 from 2024-01-31           -> a renewal on the period's last day
    J  trial 2023-12-01..2024-01-10, 70 from 2024-02-08 (29 days after the trial ended) -> converted
    K  trial 2023-12-01..2024-01-12, 70 from 2024-02-12 (31 days after)                  -> not converted

    mrr_start = 100+200+300+400+60 = 1060; mrr_end = 100+300+100+50+120+60 = 730
"""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from accounts.choices import CostCategory, ReferralStatus
from accounts.models import CostEntry, Referral
from tests.factories import AccountFactory, SubscriptionFactory, SupportTicketFactory, UserFactory
from usage import metrics

pytestmark = pytest.mark.django_db

START, END = date(2024, 1, 1), date(2024, 2, 1)


def sub(account, mrr, start, end=None, trial=False):
    return SubscriptionFactory(
        account=account,
        mrr=Decimal(mrr),
        start_date=start,
        end_date=end,
        is_trial=trial,
        plan="Trial" if trial else "Pro",
    )


def at(y, m, d, h=0, minute=0):
    return datetime(y, m, d, h, minute, tzinfo=UTC)


@pytest.fixture
def book():
    owner_1, owner_2 = UserFactory(), UserFactory()
    acc = {name: AccountFactory(name=name, segment="SMB", owner=owner_1) for name in "ABCDEFHJK"}
    for name in "CDH":
        acc[name].segment = "Enterprise"
        acc[name].owner = owner_2
        acc[name].save()
    sub(acc["A"], 100, date(2023, 6, 1))
    sub(acc["B"], 200, date(2023, 6, 1), date(2024, 1, 15))
    sub(acc["B"], 300, date(2024, 1, 15))
    sub(acc["C"], 300, date(2023, 6, 1), date(2024, 1, 20))
    sub(acc["C"], 100, date(2024, 1, 20))
    sub(acc["D"], 400, date(2023, 6, 1), date(2024, 1, 10))
    sub(acc["E"], 0, date(2023, 12, 15), date(2024, 1, 5), trial=True)
    sub(acc["E"], 50, date(2024, 1, 5))
    sub(acc["F"], 80, date(2023, 1, 1), date(2023, 7, 1))
    sub(acc["F"], 120, date(2024, 1, 25))
    sub(acc["H"], 60, date(2023, 2, 1), date(2024, 1, 31))
    sub(acc["H"], 60, date(2024, 1, 31))
    sub(acc["J"], 0, date(2023, 12, 1), date(2024, 1, 10), trial=True)
    sub(acc["J"], 70, date(2024, 2, 8))
    sub(acc["K"], 0, date(2023, 12, 1), date(2024, 1, 12), trial=True)
    sub(acc["K"], 70, date(2024, 2, 12))
    return {"accounts": acc, "owners": (owner_1, owner_2)}


def test_revenue_movements_follow_the_definitions(book):
    # when
    m = metrics.period_metrics(start=START, end=END)
    # then
    assert m["mrr_start"] == Decimal("1060.00")
    assert m["mrr_end"] == Decimal("730.00")
    assert m["mrr_new"] == Decimal("50.00")
    assert m["mrr_reactivation"] == Decimal("120.00")
    assert m["mrr_expansion"] == Decimal("100.00")
    assert m["mrr_contraction"] == Decimal("200.00")
    assert m["mrr_churned"] == Decimal("400.00")
    # the bridge closes: start + new + reactivation + expansion - contraction - churn = end
    assert (
        m["mrr_start"]
        + m["mrr_new"]
        + m["mrr_reactivation"]
        + m["mrr_expansion"]
        - m["mrr_contraction"]
        - m["mrr_churned"]
        == m["mrr_end"]
    )


def test_ratios_are_fractions(book):
    m = metrics.period_metrics(start=START, end=END)
    assert m["grr"] == round((1060 - 200 - 400) / 1060, 4) == 0.434
    assert m["nrr"] == round((1060 + 100 - 200 - 400) / 1060, 4) == 0.5283
    assert m["logo_churn_rate"] == 0.2  # D of A, B, C, D, H
    # B (Jan 15), C (Jan 20), D (Jan 10), H (Jan 31, the last day) end in the period; D is not renewed
    assert m["renewal_rate"] == 0.75
    # E converts at once, J 29 days after its trial ended, K 31 days after (too late)
    assert m["trial_conversion_rate"] == round(2 / 3, 4)


def test_clv_uses_the_annualised_logo_churn(book):
    m = metrics.period_metrics(start=START, end=END)
    annual_churn = 1 - (1 - 0.2) ** (365 / 31)
    annual_revenue_per_account = Decimal(730 * 12) / 6  # A, B, C, E, F, H are active on Feb 1
    assert m["clv"] == (annual_revenue_per_account / Decimal(str(annual_churn))).quantize(Decimal("0.01"))
    assert m["clv"] == Decimal("1573.74")


def test_clv_worked_example_from_design():
    """A year in which 1 of 5 accounts churns (20 % annual logo churn: a 5-year lifetime) and
    the 4 left pay 100 a month (1,200 a year each): CLV = 1,200 x 5 = 6,000."""
    accounts = [AccountFactory() for _ in range(5)]
    for account in accounts[:4]:
        sub(account, 100, date(2022, 6, 1))
    sub(accounts[4], 50, date(2022, 6, 1), date(2023, 6, 1))
    m = metrics.period_metrics(start=date(2023, 1, 1), end=date(2024, 1, 1))
    assert m["logo_churn_rate"] == 0.2
    assert m["clv"] == Decimal("6000.00")


def test_slices_by_segment_and_csm(book):
    owner_1, owner_2 = book["owners"]
    enterprise = metrics.period_metrics(start=START, end=END, accounts=metrics.account_slice(segment="Enterprise"))
    assert enterprise["mrr_start"] == Decimal("760.00")  # C 300 + D 400 + H 60
    assert enterprise["mrr_end"] == Decimal("160.00")
    assert enterprise["mrr_contraction"] == Decimal("200.00")
    assert enterprise["mrr_churned"] == Decimal("400.00")
    assert enterprise["logo_churn_rate"] == round(1 / 3, 4)
    assert enterprise["crc"] is None  # costs carry no account
    by_owner = metrics.period_metrics(start=START, end=END, accounts=metrics.account_slice(owner_id=owner_1.pk))
    assert by_owner["mrr_start"] == Decimal("300.00")  # A 100 + B 200
    assert by_owner["mrr_new"] == Decimal("50.00")
    assert by_owner["mrr_reactivation"] == Decimal("120.00")
    assert by_owner["trial_conversion_rate"] == round(2 / 3, 4)


def test_grouped_components_sum_to_the_whole(book):
    groups = metrics.metric_components(start=START, end=END, group_by=metrics.GROUP_FIELDS)
    assert len(groups) == 2
    whole = metrics.metric_components(start=START, end=END)[0]
    assert metrics.sum_components(groups) == whole


def test_no_data_gives_null_never_zero():
    m = metrics.period_metrics(start=START, end=END)
    assert set(m) == set(metrics.METRIC_KEYS)
    assert all(value is None for value in m.values())


def test_slice_without_revenue_is_null_but_zero_movement_is_zero(book):
    # an owner with no accounts: no data at all
    nobody = UserFactory()
    m = metrics.period_metrics(start=START, end=END, accounts=metrics.account_slice(owner_id=nobody.pk))
    assert m["mrr_start"] is None and m["grr"] is None and m["renewal_rate"] is None
    # a book with data but no new business: 0 is a real answer
    a_only = metrics.period_metrics(start=START, end=END, accounts=metrics.account_slice(segment="nope"))
    assert a_only["mrr_new"] is None
    steady = metrics.period_metrics(start=date(2023, 8, 1), end=date(2023, 9, 1))
    assert steady["mrr_new"] == Decimal("0.00")
    assert steady["mrr_churned"] == Decimal("0.00")
    assert steady["logo_churn_rate"] == 0.0
    assert steady["clv"] is None  # no churn observed: lifetime cannot be estimated
    assert steady["renewal_rate"] is None  # nothing ended in August


def test_subscription_ending_on_end_day_is_not_active_on_end():
    """end_date is exclusive: a subscription ending on `end` is churned on `end`, and its
    renewal falls in the next period."""
    account = AccountFactory()
    sub(account, 90, date(2023, 6, 1), END)
    m = metrics.period_metrics(start=START, end=END)
    assert m["mrr_end"] == Decimal("0.00")
    assert m["mrr_churned"] == Decimal("90.00")
    assert m["renewal_rate"] is None
    later = metrics.period_metrics(start=END, end=date(2024, 3, 1))
    assert later["renewal_rate"] == 0.0


def test_trial_converting_exactly_30_days_later_is_outside_the_window():
    account = AccountFactory()
    sub(account, 0, date(2023, 12, 1), date(2024, 1, 10), trial=True)
    sub(account, 10, date(2024, 2, 9))  # Jan 10 + 30 days: the window [Jan 10, Feb 9) has ended
    assert metrics.period_metrics(start=START, end=END)["trial_conversion_rate"] == 0.0


def test_trials_count_zero_mrr_and_zero_mrr_subscriptions_do_not_make_an_account_active():
    account = AccountFactory()
    sub(account, 500, date(2023, 12, 1), None, trial=True)
    sub(account, 0, date(2023, 12, 1))
    m = metrics.period_metrics(start=START, end=END)
    assert m["mrr_start"] is None  # no paid subscription anywhere: no revenue data


def test_support_metrics():
    account = AccountFactory()
    SupportTicketFactory(
        account=account,
        opened_at=at(2024, 1, 2, 10),
        first_response_at=at(2024, 1, 2, 12),
        resolved_at=at(2024, 1, 3),
        agent_replies=1,
    )
    SupportTicketFactory(
        account=account,
        opened_at=at(2024, 1, 5, 9),
        first_response_at=at(2024, 1, 5, 13),
        resolved_at=at(2024, 1, 10),
        agent_replies=3,
    )
    # opened before the period (not in the response mean), resolved in it with one reply
    SupportTicketFactory(
        account=account,
        opened_at=at(2023, 12, 30),
        first_response_at=at(2023, 12, 30, 1),
        resolved_at=at(2024, 1, 2),
        agent_replies=1,
    )
    # resolved at the period's end instant: outside
    SupportTicketFactory(
        account=account, opened_at=at(2024, 1, 20), first_response_at=None, resolved_at=at(2024, 2, 1), agent_replies=1
    )
    m = metrics.period_metrics(start=START, end=END)
    assert m["fcr"] == round(2 / 3, 4)
    assert m["avg_first_response_hours"] == 3.0  # (2 h + 4 h) / 2; the unanswered ticket is left out


def test_crc_sums_cost_entries_starting_in_the_period(book):
    CostEntry.objects.create(period_start=date(2024, 1, 1), period_end=date(2024, 2, 1), amount=1000, category="staff")
    CostEntry.objects.create(period_start=date(2024, 1, 15), period_end=date(2024, 2, 15), amount=500, category="tools")
    CostEntry.objects.create(period_start=date(2024, 2, 1), period_end=date(2024, 3, 1), amount=999, category="staff")
    m = metrics.period_metrics(start=START, end=END)
    assert m["crc"] == Decimal("300.00")  # 1500 / 5 accounts active on Jan 1


def test_bad_period_is_refused():
    with pytest.raises(ValueError, match="start must be before end"):
        metrics.period_metrics(start=END, end=START)


def test_query_count_does_not_grow_with_accounts(book, django_assert_max_num_queries):
    # 6 statements of figures + 1 read of the exchange-rate table (accounts.currency)
    with django_assert_max_num_queries(7):
        metrics.period_metrics(start=START, end=END)
    for i in range(30):
        sub(AccountFactory(), 10 + i, date(2023, 1, 1))
    with django_assert_max_num_queries(7):
        metrics.period_metrics(start=START, end=END, accounts=metrics.account_slice(segment="SMB"))


def test_mrr_by_month(book):
    series = metrics.mrr_by_month(months=3, today=date(2024, 1, 20))
    assert [day for day, _ in series] == [date(2023, 11, 1), date(2023, 12, 1), date(2024, 1, 1), date(2024, 1, 20)]
    assert dict(series)[date(2024, 1, 1)] == Decimal("1060.00")
    # Jan 20: A 100 + B 300 + C 100 (the downgrade starts that day) + E 50 + H 60
    assert dict(series)[date(2024, 1, 20)] == Decimal("610.00")
    assert metrics.mrr_on(day=date(2024, 2, 1)) == Decimal("730.00")


def test_cohorts():
    owner = UserFactory()
    a, b, c = (AccountFactory(owner=owner) for _ in range(3))
    sub(a, 100, date(2024, 1, 10))  # January cohort, stays
    sub(b, 100, date(2024, 1, 20), date(2024, 2, 15))  # January cohort, churns in February
    sub(c, 50, date(2024, 2, 5))  # February cohort
    sub(c, 50, date(2024, 3, 1))  # expands on Mar 1
    cells = metrics.cohort_cells(months=3, today=date(2024, 3, 10))
    table = metrics.cohort_table(cells, months=3, today=date(2024, 3, 10))
    jan, feb, mar = table
    assert (jan["cohort"], jan["size"], jan["start_mrr"]) == (date(2024, 1, 1), 2, Decimal("200.00"))
    assert [(col["day"], col["logo_retention"], col["revenue_retention"]) for col in jan["columns"]] == [
        (date(2024, 2, 1), 1.0, 1.0),
        (date(2024, 3, 1), 0.5, 0.5),
    ]
    assert feb["size"] == 1
    assert [(col["day"], col["revenue_retention"]) for col in feb["columns"]] == [(date(2024, 3, 1), 2.0)]
    assert mar["size"] == 0 and mar["columns"] == []


def test_cs_roi():
    account = AccountFactory()
    sub(account, 1000, date(2022, 1, 1), date(2023, 7, 1))  # churns mid-year
    other = AccountFactory()
    sub(other, 500, date(2022, 1, 1), date(2023, 3, 1))
    sub(other, 700, date(2023, 3, 1))  # expands by 200
    CostEntry.objects.create(
        period_start=date(2023, 1, 1), period_end=date(2024, 1, 1), amount=2000, category=CostCategory.STAFF
    )
    CostEntry.objects.create(
        period_start=date(2023, 1, 1), period_end=date(2024, 1, 1), amount=400, category=CostCategory.TOOLS
    )
    CostEntry.objects.create(
        period_start=date(2023, 6, 1), period_end=date(2023, 7, 1), amount=100, category=CostCategory.LOYALTY
    )
    CostEntry.objects.create(
        period_start=date(2023, 6, 1), period_end=date(2023, 7, 1), amount=77, category=CostCategory.OTHER
    )
    Referral.objects.create(referring_account=other, status=ReferralStatus.WON, revenue=300, created_at=at(2023, 5, 1))
    Referral.objects.create(referring_account=other, status=ReferralStatus.LOST, revenue=900, created_at=at(2023, 5, 1))
    roi = metrics.cs_roi(start=date(2023, 1, 1), end=date(2024, 1, 1))
    # retained MRR = 1500 - 0 contraction - 1000 churned = 500 -> x 12 months = 6000
    assert roi["retention_revenue"] == Decimal("6000.00")
    assert roi["expansion_revenue"] == Decimal("2400.00")  # 200 x 12
    assert roi["referral_revenue"] == Decimal("300.00")
    assert roi["cost"] == Decimal("2500.00")
    assert roi["other_cost"] == Decimal("77.00")
    assert roi["roi"] == Decimal("6200.00")
    assert roi["roi_ratio"] == 2.48


def test_cs_roi_without_data_is_null():
    roi = metrics.cs_roi(start=START, end=END)
    assert roi["roi"] is None and roi["roi_ratio"] is None


# Section: usage (events -> usage.rollups -> metrics)


def _event(account, contact, event, when):
    from tests.factories import UsageEventFactory

    return UsageEventFactory(account=account, contact=contact, event=event, occurred_at=when)


@pytest.fixture
def usage_book():
    """Period [2024-03-01, 2024-03-11) (10 days, so the usage window is the whole period).

    X (paid 100, 5 seats): contacts x1, x2 active on Mar 1; x1 on Mar 9 -> contact-days 3
      events: "report" x3 (Mar 1, Mar 1, Mar 9), "export" once (Mar 1)
    Y (paid 50, 2 seats): contact y1 on Mar 2 and Mar 10 -> contact-days 2, "report" twice
    Z (trial only): z1 on Mar 10, "export"
    """
    from tests.factories import ContactFactory
    from usage.rollups import usage_rollup_rebuild

    x, y, z = AccountFactory(name="X"), AccountFactory(name="Y"), AccountFactory(name="Z")
    SubscriptionFactory(account=x, mrr=100, start_date=date(2024, 1, 1), seats=5, entitlements={"report": 4})
    SubscriptionFactory(account=y, mrr=50, start_date=date(2024, 1, 1), seats=2, entitlements={"report": 100})
    SubscriptionFactory(account=z, mrr=0, start_date=date(2024, 3, 1), end_date=date(2024, 4, 1), is_trial=True)
    x1, x2, y1, z1 = (ContactFactory(account=a) for a in (x, x, y, z))
    _event(x, x1, "report", at(2024, 3, 1, 9))
    _event(x, x2, "report", at(2024, 3, 1, 10))
    _event(x, x2, "export", at(2024, 3, 1, 11))
    _event(x, x1, "report", at(2024, 3, 9, 9))
    _event(y, y1, "report", at(2024, 3, 2, 9))
    _event(y, y1, "report", at(2024, 3, 10, 9))
    _event(z, z1, "export", at(2024, 3, 10, 9))
    _event(x, x1, "report", at(2024, 3, 11, 0))  # on `end`: outside the period
    usage_rollup_rebuild()
    return {"x": x, "y": y, "z": z}


def test_product_usage(usage_book):
    u = metrics.product_usage(start=date(2024, 3, 1), end=date(2024, 3, 11))
    # contact-days: X 2 (Mar 1) + 1 (Mar 9), Y 1 + 1, Z 1 = 6 over 10 days
    assert u["dau"] == 0.6
    assert u["mau"] == 4  # x1, x2, y1, z1
    assert u["wau"] == 3  # [Mar 4, Mar 11): x1, y1, z1
    assert u["stickiness"] == 0.15  # 0.6 / 4
    assert u["usage_accounts"] == 3
    # features used by paid accounts active on Mar 11: X {report, export}, Y {report} -> 3 / 2
    assert u["features_per_account"] == 1.5


def test_product_usage_without_events_is_null():
    u = metrics.product_usage(start=date(2024, 3, 1), end=date(2024, 3, 11))
    assert u == {k: None for k in u}


def test_feature_adoption(usage_book):
    rows = metrics.feature_adoption(start=date(2024, 3, 1), end=date(2024, 3, 11))
    assert rows == [
        {"feature": "report", "accounts": 2, "adoption": 1.0},
        {"feature": "export", "accounts": 1, "adoption": 0.5},  # Z's export is a trial's
    ]
    smb = metrics.feature_adoption(
        start=date(2024, 3, 1), end=date(2024, 3, 11), accounts=metrics.account_slice(segment="none")
    )
    assert smb == []


def test_expansion_signals(usage_book):
    signals = metrics.expansion_signals(as_of=date(2024, 3, 10))
    # X used "report" 3 times of 4 (0.75 < 0.8: no signal) -> as of Mar 10 the Mar 11 event is outside
    # Y has 1 active contact of 2 seats (0.5): no signal; X has 2 of 5 seats: none
    assert signals == []
    signals = metrics.expansion_signals(as_of=date(2024, 3, 11))
    assert [(s["account_name"], s["what"], s["used"], s["limit"], s["ratio"]) for s in signals] == [
        ("X", "report", 4.0, 4.0, 1.0)
    ]
    lower = metrics.expansion_signals(as_of=date(2024, 3, 10), threshold=0.5)
    assert [(s["account_name"], s["what"]) for s in lower] == [("X", "report"), ("Y", "seats")]
