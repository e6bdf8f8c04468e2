"""The kept candidate queries (playbooks.candidate_sql) create exactly what building every query
afresh creates: on a small demo with varied playbooks (every reusable trigger, conditions,
cooldowns, caps), refreshed batches of several sizes and a full run, with and without the kept
queries, compare the enrolments and tasks created."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Account
from playbooks import candidate_sql
from playbooks.choices import TriggerType
from playbooks.evaluation import playbook_evaluate
from playbooks.models import Enrolment, Playbook, PlaybookRun, Task
from playbooks.services import playbook_save, playbooks_run, playbooks_run_event
from tests.factories import AccountFactory
from tests.factories.playbooks import TaskTemplateFactory

ENROLMENT_FIELDS = ("playbook_id", "account_id", "occurrence_key", "reason", "reason_data", "signal")
TASK_FIELDS = (
    "playbook_id",
    "account_id",
    "step",
    "template_id",
    "title",
    "body",
    "reason",
    "reason_data",
    "signal",
    "priority",
    "due_date",
    "assignee_id",
    "status",
)

VARIED = [
    (TriggerType.HEALTH_BAND_CHANGE, {"to_band": "red", "from_band": "any", "on_overrides": "fire"}, {}, {}),
    (TriggerType.HEALTH_BAND_CHANGE, {"to_band": "yellow", "from_band": "green"}, {}, {"cooldown_days": 3}),
    (TriggerType.HEALTH_BAND_CHANGE, {"to_band": "green", "from_band": "any"}, {}, {}),
    (TriggerType.HEALTH_DROP, {"points": 5, "days": 7}, {}, {"max_enrolments": 2}),
    (TriggerType.HEALTH_DROP, {"points": 1, "days": 30, "on_overrides": "fire"}, {"tiers": ["strategic", "key"]}, {}),
    (TriggerType.USAGE_DROP, {"percent": 10, "days": 7, "min_events": 1}, {}, {}),
    (TriggerType.FEATURE_GROWTH, {"feature": "reports", "percent": 10, "days": 7, "min_events": 1}, {}, {}),
    (TriggerType.RENEWAL_DUE, {"days": 200}, {"arr_min": 1000, "arr_max": 500000}, {"cooldown_days": 30}),
    (TriggerType.RENEWAL_DUE, {"days": 365}, {"lifecycle_stages": ["adoption", "at_risk", "churned"]}, {}),
    (TriggerType.SURVEY_ANSWER, {"answer": "promoter", "lookback_days": 60}, {}, {}),
    (TriggerType.SURVEY_ANSWER, {"answer": "detractor", "lookback_days": 60}, {}, {"cooldown_days": 5}),
    (TriggerType.ONBOARDING_STALLED, {"days": 3}, {}, {}),
    (TriggerType.ONBOARDING_OVERDUE, {"days_overdue": 1}, {}, {}),
    (TriggerType.ENTITLEMENT_USAGE, {"metric": "seats", "percent": 10, "days": 60}, {}, {"max_enrolments": 1}),
    (TriggerType.SUBSCRIPTION_CHANGE, {"change": "cancelled", "lookback_days": 60}, {}, {}),
    (TriggerType.SUBSCRIPTION_CHANGE, {"change": "upgrade", "lookback_days": 60}, {}, {}),
    (TriggerType.PAYMENT_FAILED, {"min_amount": 0, "lookback_days": 60}, {}, {}),
    (TriggerType.NO_TOUCH, {"grace_days": 0}, {}, {}),
    (TriggerType.NO_TOUCH, {"grace_days": 5}, {"segments": ["Enterprise", "SMB", "Mid-Market"]}, {}),
]


@pytest.fixture
def demo(db):
    call_command("seed_demo", accounts=80, seed=23, verbosity=0)
    Task.objects.all().delete()
    Enrolment.objects.all().delete()
    PlaybookRun.objects.all().delete()
    for i, (trigger_type, params, conditions, fields) in enumerate(VARIED):
        playbook_save(
            name=f"Varied {i} {trigger_type}",
            trigger_type=trigger_type,
            trigger_params=params,
            conditions=conditions,
            actions=[{"type": "task", "template": TaskTemplateFactory().pk}],
            enabled=True,
            **{"cooldown_days": 0, **fields},
        )
    candidate_sql.candidate_sql_clear()
    yield
    candidate_sql.candidate_sql_clear()
    candidate_sql.ENABLED = True


def _created() -> tuple[list, list]:
    enrolments = sorted(map(repr, Enrolment.objects.values_list(*ENROLMENT_FIELDS)))
    tasks = sorted(map(repr, Task.objects.values_list(*TASK_FIELDS)))
    return enrolments, tasks


def _runs(batches, as_of, *, reuse: bool) -> list:
    """What each run of the sequence created, undone afterwards."""
    candidate_sql.ENABLED = reuse
    out = []
    with transaction.atomic():
        for batch in batches:
            playbooks_run(as_of=as_of, source="nightly", account_ids=batch)
            out.append(_created())
        transaction.set_rollback(True)
    return out


def _event_runs(events, *, reuse: bool) -> list:
    candidate_sql.ENABLED = reuse
    out = []
    with transaction.atomic():
        for event in events:
            playbooks_run_event(event=event)
            out.append(_created())
        transaction.set_rollback(True)
    return out


def _events() -> list[dict]:
    from accounts.models import Subscription
    from surveys.models import SurveyResponse

    events = [
        {"event": "survey.response_recorded", "account_id": r.account_id, "response_id": r.pk}
        for r in SurveyResponse.objects.filter(account__isnull=False).order_by("-submitted_at")[:6]
    ]
    for change in ("upgrade", "cancelled", "downgrade"):
        events += [
            {"event": "subscription.changed", "account_id": s.account_id, "subscription_id": s.pk, "change": change}
            for s in Subscription.objects.filter(account__isnull=False).order_by("pk")[:3]
        ]
    events += [
        {
            "event": "health.band_changed",
            "account_id": a,
            "old_band": "green",
            "new_band": "red",
            "old_score": 80,
            "new_score": 30,
            "day": None,
            "is_override": False,
        }
        for a in Account.objects.order_by("pk").values_list("pk", flat=True)[:4]
    ]
    return events


def test_kept_queries_create_the_same_enrolments_and_tasks(demo):
    ids = sorted(Account.objects.values_list("id", flat=True))
    batches = [ids[:1], ids[3:8], ids[1:9], ids[::3], None]
    as_of = timezone.now().date()
    before = _runs(batches, as_of, reuse=False)
    assert len(before[-1][0]) > len(before[-2][0]) > len(before[0][0]), "each run should enrol more"
    assert len({t for t in Playbook.objects.values_list("trigger_type", flat=True)}) >= 12
    kept = _runs(batches, as_of, reuse=True)  # learns the queries
    again = _runs(batches, as_of, reuse=True)  # every query from the kept SQL
    yesterday = _runs(batches, as_of - timedelta(days=1), reuse=True)
    assert kept == before
    assert again == before
    assert yesterday == _runs(batches, as_of - timedelta(days=1), reuse=False)
    events = _events()
    fresh_events = _event_runs(events, reuse=False)
    assert fresh_events[-1][0]
    assert _event_runs(events, reuse=True) == fresh_events
    assert _event_runs(events, reuse=True) == fresh_events
    plans = list(candidate_sql._PLANS.values())
    if connection.vendor == "postgresql":
        reusable = Playbook.objects.exclude(trigger_type=TriggerType.SEGMENT_ENTERED).count()
        assert sum(p is not None for p in plans) >= reusable  # every playbook's query kept (per size)
    else:
        assert not any(plans)  # SQLite: times are compiled to text, nothing is learnt


@pytest.fixture
def kept(db):
    candidate_sql.candidate_sql_clear()
    yield
    candidate_sql.candidate_sql_clear()
    candidate_sql.ENABLED = True


def test_a_saved_playbook_is_compiled_afresh(kept, make_playbook):
    as_of = timezone.now().date()
    account = AccountFactory(renewal_date=as_of + timedelta(days=30))
    playbook = make_playbook(TriggerType.RENEWAL_DUE, {"days": 10})
    assert playbook_evaluate(playbook=playbook, as_of=as_of, account_ids=[account.pk]).matched == 0
    playbook = playbook_save(playbook=playbook, trigger_params={"days": 60})
    assert playbook_evaluate(playbook=playbook, as_of=as_of, account_ids=[account.pk]).matched == 1


def test_repeated_and_padded_ids_select_nothing_more(kept, make_playbook):
    as_of = timezone.now().date()
    accounts = [AccountFactory(renewal_date=as_of + timedelta(days=d)) for d in (5, 50, 500)]
    AccountFactory(renewal_date=as_of + timedelta(days=6))  # not in the batch
    playbook = make_playbook(TriggerType.RENEWAL_DUE, {"days": 90})
    ids = [a.pk for a in accounts]
    results = []
    for reuse in (False, True, True):
        candidate_sql.ENABLED = reuse
        with transaction.atomic():
            result = playbook_evaluate(playbook=playbook, as_of=as_of, account_ids=ids + ids[:1])
            results.append((result.matched, sorted(Enrolment.objects.values_list("account_id", flat=True))))
            transaction.set_rollback(True)
    assert results == [(2, sorted(ids[:2]))] * 3
