"""Each trigger type fires for the accounts whose data says so, with the reason a CSM reads,
and not for the others."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from health.models import HealthScore
from playbooks.evaluation import playbook_evaluate
from playbooks.models import Enrolment, Task
from tests.factories import AccountFactory, ContactFactory, SubscriptionFactory
from tests.factories.surveys import SurveyResponseFactory
from usage.models import AccountDailyUsage

pytestmark = pytest.mark.django_db

TODAY = timezone.now().date()


def fired(playbook, **kwargs):
    """{account_id: reason} of the tasks one evaluation created."""
    playbook_evaluate(playbook=playbook, **kwargs)
    return dict(Task.objects.filter(playbook=playbook).values_list("account_id", "reason"))


def score(account, day, value, band):
    HealthScore.objects.create(account=account, day=day, score=value, band=band, measures={})


def test_health_band_change_nightly_reads_snapshots(make_playbook):
    # given
    red, green = AccountFactory(), AccountFactory()
    score(red, TODAY - timedelta(1), 60, "yellow")
    score(red, TODAY, 35, "red")
    score(green, TODAY - timedelta(1), 80, "green")
    score(green, TODAY, 81, "green")
    pb = make_playbook("health_band_change", {"to_band": "red"})
    # when
    tasks = fired(pb, as_of=TODAY)
    # then
    assert list(tasks) == [red.pk]
    assert "from yellow to red (score 60 → 35)" in tasks[red.pk]


def test_health_band_change_from_filter_and_event_payload(make_playbook):
    account = AccountFactory()
    pb = make_playbook("health_band_change", {"to_band": "red", "from_band": "green"})
    event = {
        "event": "health.band_changed",
        "account_id": account.pk,
        "old_band": "yellow",
        "new_band": "red",
        "old_score": 55,
        "new_score": 30,
        "day": TODAY.isoformat(),
    }
    assert fired(pb, account_ids=[account.pk], event=event) == {}
    event["old_band"] = "green"
    tasks = fired(pb, account_ids=[account.pk], event=event)
    assert "from green to red (score 55 → 30)" in tasks[account.pk]


def test_health_drop_reason_names_the_scores(make_playbook):
    dropped, steady = AccountFactory(), AccountFactory()
    score(dropped, TODAY - timedelta(7), 72, "green")
    score(dropped, TODAY, 41, "yellow")
    score(steady, TODAY - timedelta(7), 72, "green")
    score(steady, TODAY, 65, "green")
    pb = make_playbook("health_drop", {"points": 15, "days": 7})
    tasks = fired(pb, as_of=TODAY)
    assert tasks == {dropped.pk: "health fell from 72 to 41 in 7 days"}


def rollup(account, day, events, features=None):
    AccountDailyUsage.objects.create(account=account, day=day, events=events, features=features or {})


def test_usage_drop_compares_the_last_window_with_the_one_before(make_playbook):
    dropping, steady, tiny = AccountFactory(), AccountFactory(), AccountFactory()
    rollup(dropping, TODAY - timedelta(40), 100)
    rollup(dropping, TODAY - timedelta(5), 40)
    rollup(steady, TODAY - timedelta(40), 100)
    rollup(steady, TODAY - timedelta(5), 90)
    rollup(tiny, TODAY - timedelta(40), 5)  # under min_events: noise
    pb = make_playbook("usage_drop", {"percent": 30, "days": 30, "min_events": 20})
    tasks = fired(pb, as_of=TODAY)
    assert list(tasks) == [dropping.pk]
    assert tasks[dropping.pk].startswith("usage fell 60% (100 → 40 events")


def test_feature_growth(make_playbook):
    growing, flat = AccountFactory(), AccountFactory()
    rollup(growing, TODAY - timedelta(20), 30, {"export": 5})
    rollup(growing, TODAY - timedelta(2), 30, {"export": 25})
    rollup(flat, TODAY - timedelta(20), 30, {"export": 20})
    rollup(flat, TODAY - timedelta(2), 30, {"export": 22})
    pb = make_playbook("feature_growth", {"feature": "export", "percent": 100, "days": 14, "min_events": 10})
    tasks = fired(pb, as_of=TODAY)
    assert list(tasks) == [growing.pk]
    assert "'export' grew +400% (5 → 25" in tasks[growing.pk]


@pytest.mark.parametrize(
    ("answer", "kind", "fires", "quiet"),
    [("detractor", "nps", 3, 8), ("passive", "nps", 7, 9), ("promoter", "nps", 10, 6), ("low_csat", "csat", 2, 4)],
)
def test_survey_answer(make_playbook, answer, kind, fires, quiet):
    hit, miss = AccountFactory(), AccountFactory()
    contact = ContactFactory(account=hit, name="Jane Doe")
    SurveyResponseFactory(account=hit, contact=contact, kind=kind, score=fires, comment="Exports keep failing")
    SurveyResponseFactory(account=miss, kind=kind, score=quiet)
    pb = make_playbook("survey_answer", {"answer": answer, "lookback_days": 3})
    tasks = fired(pb, as_of=TODAY)
    assert list(tasks) == [hit.pk]
    assert f"{kind.upper()} {fires}" in tasks[hit.pk]
    assert "from Jane Doe" in tasks[hit.pk] and '"Exports keep failing"' in tasks[hit.pk]


def test_survey_answer_ignores_old_answers(make_playbook):
    account = AccountFactory()
    SurveyResponseFactory(account=account, score=2, submitted_at=timezone.now() - timedelta(days=10))
    pb = make_playbook("survey_answer", {"answer": "detractor", "lookback_days": 3})
    assert fired(pb, as_of=TODAY) == {}


def test_renewal_due(make_playbook):
    soon = AccountFactory(renewal_date=TODAY + timedelta(30), mrr=Decimal("1000"))
    AccountFactory(renewal_date=TODAY + timedelta(200), mrr=Decimal("1000"))
    AccountFactory(renewal_date=TODAY - timedelta(3), mrr=Decimal("1000"))
    pb = make_playbook("renewal_due", {"days": 90})
    tasks = fired(pb, as_of=TODAY)
    assert list(tasks) == [soon.pk]
    assert "(in 30 days), ARR 12,000" in tasks[soon.pk]


def test_entitlement_usage_seats_and_event_metrics(make_playbook):
    full, roomy, reports = AccountFactory(), AccountFactory(), AccountFactory()
    SubscriptionFactory(account=full, entitlements={"seats": 10})
    SubscriptionFactory(account=roomy, entitlements={"seats": 10})
    SubscriptionFactory(account=reports, plan="Pro", entitlements={"reports": 60})
    seen = timezone.now() - timedelta(days=2)
    for _ in range(9):
        ContactFactory(account=full, last_seen_at=seen)
    for _ in range(3):
        ContactFactory(account=roomy, last_seen_at=seen)
    rollup(reports, TODAY - timedelta(3), 50, {"report_created": 50})
    seats = make_playbook("entitlement_usage", {"metric": "seats", "percent": 80})
    assert list(fired(seats, as_of=TODAY)) == [full.pk]
    by_reports = make_playbook("entitlement_usage", {"metric": "reports", "percent": 80, "event": "report_created"})
    tasks = fired(by_reports, as_of=TODAY)
    assert tasks == {reports.pk: "uses 50 of 60 reports (83%) on the Pro plan"}


def test_subscription_cancellation_nightly_and_upgrade(make_playbook):
    cancelled, upgraded = AccountFactory(), AccountFactory()
    SubscriptionFactory(account=cancelled, plan="Growth", canceled_at=timezone.now() - timedelta(hours=3))
    SubscriptionFactory(
        account=upgraded, plan="Starter", mrr=Decimal("100"), start_date=TODAY - timedelta(100), end_date=TODAY
    )
    SubscriptionFactory(account=upgraded, plan="Scale", mrr=Decimal("300"), start_date=TODAY)
    cancel_pb = make_playbook("subscription_change", {"change": "cancelled"})
    assert list(fired(cancel_pb, as_of=TODAY)) == [cancelled.pk]
    upgrade_pb = make_playbook("subscription_change", {"change": "upgrade"})
    tasks = fired(upgrade_pb, as_of=TODAY)
    assert tasks == {upgraded.pk: "upgraded to Scale: MRR 100 → 300"}
    downgrade_pb = make_playbook("subscription_change", {"change": "downgrade"})
    assert fired(downgrade_pb, as_of=TODAY) == {}


def test_subscription_change_event_uses_the_signal(make_playbook):
    account = AccountFactory()
    sub = SubscriptionFactory(account=account, plan="Growth", mrr=Decimal("500"))
    pb = make_playbook("subscription_change", {"change": "downgrade"})
    event = {
        "event": "subscription.changed",
        "account_id": account.pk,
        "subscription_id": sub.pk,
        "change": "downgrade",
    }
    tasks = fired(pb, account_ids=[account.pk], event=event)
    assert tasks == {account.pk: "downgraded to Growth (MRR 500)"}


def test_contract_anniversary_and_birthday(make_playbook):
    target = TODAY + timedelta(days=14)
    if (target.month, target.day) == (2, 29):
        target = target + timedelta(days=1)
    loyal, new = AccountFactory(), AccountFactory()
    SubscriptionFactory(account=loyal, start_date=date(target.year - 2, target.month, target.day))
    SubscriptionFactory(account=new, start_date=TODAY - timedelta(20))
    pb = make_playbook("contract_anniversary", {"days_before": (target - TODAY).days})
    tasks = fired(pb, as_of=TODAY)
    assert list(tasks) == [loyal.pk]
    assert tasks[loyal.pk].startswith("2 years as a customer")

    bday = TODAY + timedelta(days=3)
    if (bday.month, bday.day) == (2, 29):
        return
    contact = ContactFactory(name="Jane Doe", birthday=date(1990, bday.month, bday.day))
    ContactFactory(birthday=date(1990, 1, 1) if (bday.month, bday.day) != (1, 1) else date(1990, 6, 1))
    bpb = make_playbook("contact_birthday", {"days_before": 3})
    assert fired(bpb, as_of=TODAY) == {contact.account_id: f"Jane Doe's birthday is on {bday:%d %B}"}


def test_no_touch_uses_the_tier_cadence(make_playbook):
    now = timezone.now()
    late = AccountFactory(tier="key", last_touch_at=now - timedelta(days=10))
    AccountFactory(tier="key", last_touch_at=now - timedelta(days=2))
    AccountFactory(tier="standard", last_touch_at=now - timedelta(days=10))  # cadence 30
    never = AccountFactory(tier="strategic", created_at=now - timedelta(days=30))
    pb = make_playbook("no_touch", {"grace_days": 0})
    tasks = fired(pb, as_of=TODAY)
    assert set(tasks) == {late.pk, never.pk}
    assert tasks[late.pk] == "no CSM touch for 10 days; Key accounts are due every 7 days"
    assert tasks[never.pk].startswith("never touched (30 days as a customer)")


def test_onboarding_overdue_and_stalled(make_playbook):
    from onboarding.models import AccountChecklist, AccountChecklistItem

    account = AccountFactory()
    checklist = AccountChecklist.objects.create(
        account=account,
        name="Tech-touch start",
        contract_start=TODAY - timedelta(40),
        started_at=timezone.now() - timedelta(days=40),
    )
    AccountChecklistItem.objects.create(checklist=checklist, title="Connect data", due_date=TODAY - timedelta(5))
    AccountChecklistItem.objects.create(checklist=checklist, title="Invite team", due_date=TODAY + timedelta(5))
    overdue = make_playbook("onboarding_overdue", {"days_overdue": 1})
    tasks = fired(overdue, as_of=TODAY)
    assert list(tasks) == [account.pk]
    assert "'Connect data' (Tech-touch start) was due" in tasks[account.pk]
    stalled = make_playbook("onboarding_stalled", {"days": 14})
    tasks = fired(stalled, as_of=TODAY)
    assert "no item done for 40 days (0 of 2 done)" in tasks[account.pk]


def test_segment_entered_fires_on_entering_not_for_the_baseline(make_playbook):
    already, mover = AccountFactory(segment="Enterprise"), AccountFactory(segment="SMB")
    pb = make_playbook("segment_entered", {"field": "segment", "value": "Enterprise"})
    assert fired(pb, as_of=TODAY) == {}  # baseline: who is in already does not fire
    mover.segment = "Enterprise"
    mover.save()
    tasks = fired(pb, as_of=TODAY)
    assert list(tasks) == [mover.pk] and "entered segment 'Enterprise'" in tasks[mover.pk]
    assert already.pk not in tasks
    # leaving and re-entering is a new occurrence
    Task.objects.filter(playbook=pb).update(status="done")
    mover.segment = "SMB"
    mover.save()
    fired(pb, as_of=TODAY)
    mover.segment = "Enterprise"
    mover.save()
    playbook_evaluate(playbook=pb, as_of=TODAY)
    assert Enrolment.objects.filter(playbook=pb, account=mover).count() == 2
