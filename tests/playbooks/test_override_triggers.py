"""A CSM's temporary health override is not news for playbooks unless they ask for it, and a
stage change one caused is undone when the override ends (issue 15, item 12)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Account, Activity
from health import signals
from health.models import HealthOverride, Scorecard, ScorecardMeasure
from health.services import health_override_clear, health_override_create, health_recompute, today
from playbooks.models import Enrolment, OverrideStageChange, Task
from tests.factories.accounts import AccountFactory
from tests.factories.playbooks import TaskTemplateFactory
from tests.factories.usage import UsageEventFactory
from usage.rollups import usage_rollup_rebuild

pytestmark = pytest.mark.django_db


@pytest.fixture
def green_account(db):
    """One busy account, green (100) on a usage scorecard, lifecycle stage Mature."""
    day = today()
    scorecard = Scorecard.objects.create(name="Test", is_default=True, red_below=40, green_from=70)
    ScorecardMeasure.objects.create(
        scorecard=scorecard, measure_key="usage_frequency", weight=30, points=[[0, 0], [20, 100]]
    )
    account = AccountFactory(external_id="busy", lifecycle_stage="mature")
    for offset in range(20):
        UsageEventFactory(
            account=account, occurred_at=datetime(day.year, day.month, day.day, 1, tzinfo=UTC) - timedelta(days=offset)
        )
    usage_rollup_rebuild()
    health_recompute()
    account.refresh_from_db()
    assert (account.health_band, account.health_score) == ("green", 100)
    return account


def red_playbook(make_playbook, **params):
    """The demo's red-health playbook: a task and the stage "At risk"."""
    return make_playbook(
        "health_band_change",
        {"to_band": "red", **params},
        actions=[
            {"type": "task", "template": TaskTemplateFactory().pk},
            {"type": "lifecycle", "stage": "at_risk"},
        ],
    )


def override(account, user, score=10):
    return health_override_create(
        account=account, score=score, reason="Champion left", expires_at=timezone.now() + timedelta(days=3), author=user
    )


def expire(o: HealthOverride) -> None:
    HealthOverride.objects.filter(pk=o.pk).update(
        created_at=timezone.now() - timedelta(days=1), expires_at=timezone.now() - timedelta(seconds=1)
    )


def stage_entries(account) -> list[str]:
    return list(
        Activity.objects.filter(account=account, subject__startswith="Lifecycle stage")
        .order_by("occurred_at", "id")
        .values_list("subject", flat=True)
    )


def test_band_changed_says_when_an_override_caused_it(green_account, csm_user, django_capture_on_commit_callbacks):
    seen = []

    def handler(sender, **kwargs):
        seen.append((kwargs["old_band"], kwargs["new_band"], kwargs.get("is_override")))

    signals.band_changed.connect(handler)
    try:
        o = override(green_account, csm_user)
        health_override_clear(override=o, user=csm_user)
    finally:
        signals.band_changed.disconnect(handler)
    # the change the override made, and the one its end made: both marked
    assert seen == [("green", "red", True), ("red", "green", True)]


def test_an_override_does_not_fire_the_default_playbook(
    green_account, csm_user, make_playbook, django_capture_on_commit_callbacks
):
    # given: the red-health playbook as shipped (no opinion on overrides: the default)
    pb = red_playbook(make_playbook)
    # when: a CSM overrides the score to 10 (red), then the nightly run goes by
    with django_capture_on_commit_callbacks(execute=True):
        override(green_account, csm_user)
    with django_capture_on_commit_callbacks(execute=True):
        health_recompute()
    # then: nothing fired, the stage is untouched
    green_account.refresh_from_db()
    assert green_account.health_band == "red"  # the override is shown...
    assert not Enrolment.objects.filter(playbook=pb).exists()  # ...but no playbook acted on it
    assert not Task.objects.exists() and green_account.lifecycle_stage == "mature"


def test_a_real_drop_still_fires_the_default_playbook_in_the_nightly_run(
    green_account, csm_user, make_playbook, django_capture_on_commit_callbacks
):
    """Ignoring overrides means reading the measured band, not ignoring health altogether."""
    pb = red_playbook(make_playbook)
    from health.models import HealthScore

    # yesterday green, today measured red (no override anywhere)
    HealthScore.objects.filter(account=green_account, day=today()).update(score=20, band="red", computed_score=20)
    HealthScore.objects.create(
        account=green_account, day=today() - timedelta(days=1), score=90, band="green", computed_score=90,
        scorecard=Scorecard.objects.get(),
    )  # fmt: skip
    from playbooks.evaluation import playbook_evaluate

    playbook_evaluate(playbook=pb, source="nightly")
    assert Enrolment.objects.filter(playbook=pb, account=green_account).count() == 1


def test_the_nightly_run_ignores_an_override_band_by_default(green_account, csm_user, make_playbook):
    from health.models import HealthScore
    from playbooks.evaluation import playbook_evaluate

    pb = red_playbook(make_playbook)
    opted = red_playbook(make_playbook, on_overrides="fire")
    HealthScore.objects.create(
        account=green_account, day=today() - timedelta(days=1), score=100, band="green", computed_score=100,
        scorecard=Scorecard.objects.get(),
    )  # fmt: skip
    override(green_account, csm_user)  # today: shown 10 red, measured 100 green
    assert playbook_evaluate(playbook=pb, source="nightly").matched == 0
    assert playbook_evaluate(playbook=opted, source="nightly").matched == 1


def test_a_playbook_that_opts_in_fires_and_the_expiry_restores_the_stage_once(
    green_account, csm_user, make_playbook, django_capture_on_commit_callbacks
):
    # given: a playbook that fires on manual overrides too
    pb = red_playbook(make_playbook, on_overrides="fire")
    # when: the override turns the account red
    with django_capture_on_commit_callbacks(execute=True):
        o = override(green_account, csm_user)
    # then: the playbook acted, and moved the stage
    green_account.refresh_from_db()
    assert green_account.lifecycle_stage == "at_risk"
    enrolment = Enrolment.objects.get(playbook=pb)
    assert enrolment.signal["is_override"] is True
    change = OverrideStageChange.objects.get()
    assert (change.health_override_id, change.from_stage, change.to_stage, change.restored_at) == (
        o.pk,
        "mature",
        "at_risk",
        None,
    )
    # when: the override expires and the recompute runs (twice: a retry, or the nightly after the ETA task)
    expire(o)
    with django_capture_on_commit_callbacks(execute=True):
        health_recompute(account_ids=[green_account.pk])
    with django_capture_on_commit_callbacks(execute=True):
        health_recompute(account_ids=[green_account.pk])
    # then: the stage is back, with one timeline entry saying why
    green_account.refresh_from_db()
    assert green_account.lifecycle_stage == "mature"
    assert stage_entries(green_account) == ["Lifecycle stage Mature → At risk", "Lifecycle stage At risk → Mature"]
    entry = Activity.objects.filter(account=green_account, subject="Lifecycle stage At risk → Mature").get()
    assert "override" in entry.body.lower() and entry.metadata["health_override_id"] == o.pk
    assert OverrideStageChange.objects.get().restored_at is not None
    assert HealthOverride.objects.get(pk=o.pk).settled_at is not None


def test_clearing_the_override_restores_the_stage(
    green_account, csm_user, make_playbook, django_capture_on_commit_callbacks
):
    red_playbook(make_playbook, on_overrides="fire")
    with django_capture_on_commit_callbacks(execute=True):
        o = override(green_account, csm_user)
    with django_capture_on_commit_callbacks(execute=True):
        health_override_clear(override=o, user=csm_user)
    assert Account.objects.get(pk=green_account.pk).lifecycle_stage == "mature"


def test_a_stage_changed_since_is_left_alone(
    green_account, csm_user, make_playbook, django_capture_on_commit_callbacks
):
    red_playbook(make_playbook, on_overrides="fire")
    with django_capture_on_commit_callbacks(execute=True):
        o = override(green_account, csm_user)
    Account.objects.filter(pk=green_account.pk).update(lifecycle_stage="renewal")  # someone moved it meanwhile
    with django_capture_on_commit_callbacks(execute=True):
        health_override_clear(override=o, user=csm_user)
    assert Account.objects.get(pk=green_account.pk).lifecycle_stage == "renewal"
    change = OverrideStageChange.objects.get()
    assert change.restored_at is None and change.settled_at is not None


def test_the_trigger_option_is_validated_and_shown_in_the_form(client, admin_user, make_playbook):
    from playbooks.forms import param_field_name
    from playbooks.triggers import get_trigger

    trigger = get_trigger("health_band_change")
    assert trigger.validate({"to_band": "red", "on_overrides": "sometimes"}) == {
        "on_overrides": "must be one of: ignore, fire"
    }
    assert trigger.clean({"to_band": "red"})["on_overrides"] == "ignore"
    assert get_trigger("health_drop").clean({})["on_overrides"] == "ignore"
    client.force_login(admin_user)
    html = client.get(reverse("playbooks:playbook_create")).content.decode()
    for trigger_type in ("health_band_change", "health_drop"):
        assert f'name="{param_field_name(trigger_type, "on_overrides")}"' in html
    assert "Fire on them too" in html
