"""How playbooks treat a CSM's manual health override (docs/playbooks.md, "Health overrides").

An override is a CSM's opinion for a while, not a measurement. By default the health triggers
read the *measured* score and band of each snapshot (the score the measures gave, and its band
on the snapshot's scorecard) and ignore `band_changed` events an override caused; a playbook
opts in with the trigger option `on_overrides = "fire"`.

A lifecycle stage a playbook sets because of an override is recorded (`OverrideStageChange`)
and undone when the override ends (health.signals.override_ended), unless something else moved
the stage since; the undo writes a timeline entry and happens once however often the end is
processed.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Case, CharField, F, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.choices import LifecycleStage
from accounts.models import Account

from .models import Enrolment, OverrideStageChange

__all__ = [
    "ON_OVERRIDES_CHOICES",
    "OVERRIDE_SOURCE",
    "fires_on_overrides",
    "measured_band",
    "measured_score",
    "override_stage_changes_record",
    "override_stage_restore",
]

# health.models.ScoreSource.OVERRIDE, spelled out: the triggers read health's rows without
# importing health (it may be absent).
OVERRIDE_SOURCE = "override"

ON_OVERRIDES_CHOICES = (
    ("ignore", gettext_lazy("Ignore them (read the measured score)")),
    ("fire", gettext_lazy("Fire on them too")),
)


def fires_on_overrides(params: dict) -> bool:
    return params.get("on_overrides") == "fire"


# Section: the measured score of a snapshot (HealthScore rows)


def measured_score() -> Case:
    """The snapshot's score without an override: the measures' score when an override replaced it."""
    return Case(When(source=OVERRIDE_SOURCE, then=F("computed_score")), default=F("score"))


def measured_band() -> Case:
    """The band the measured score falls in on the snapshot's scorecard ("" when unknown)."""
    return Case(
        When(~Q(source=OVERRIDE_SOURCE), then=F("band")),
        When(Q(computed_score=None) | Q(scorecard=None), then=Value("")),
        When(computed_score__lt=F("scorecard__red_below"), then=Value("red")),
        When(computed_score__gte=F("scorecard__green_from"), then=Value("green")),
        default=Value("yellow"),
        output_field=CharField(),
    )


# Section: stage changes an override caused


def override_stage_changes_record(
    *, playbook, enrolments: list[Enrolment], old_stages: dict[int, str], to_stage: str, moved: dict[int, str]
) -> list[OverrideStageChange]:
    """After a lifecycle action: remember the moves made for enrolments an override caused
    (their signal says `is_override`), against the override active on the account now."""
    caused = {e.account_id: e for e in enrolments if e.signal.get("is_override") and e.account_id in moved}
    if not caused:
        return []
    from health.models import HealthOverride

    now = timezone.now()
    active: dict[int, int] = {}
    for account_id, override_id in (
        HealthOverride.objects.filter(account_id__in=list(caused), created_at__lte=now, expires_at__gt=now)
        .filter(Q(cleared_at=None) | Q(cleared_at__gt=now))
        .order_by("account_id", "-created_at", "-id")
        .values_list("account_id", "id")
    ):
        active.setdefault(account_id, override_id)
    return OverrideStageChange.objects.bulk_create(
        [
            OverrideStageChange(
                account_id=account_id,
                health_override_id=active[account_id],
                playbook=playbook,
                enrolment=enrolment,
                from_stage=old_stages[account_id],
                to_stage=to_stage,
                created_at=now,
            )
            for account_id, enrolment in caused.items()
            if account_id in active  # the override already ended: nothing left to undo later
        ]
    )


@transaction.atomic
def override_stage_restore(*, override_id: int) -> list[int]:
    """The override ended: put back each stage it caused a playbook to set, newest first, if the
    account is still at the stage the playbook set. Locks the records, so a retry or a concurrent
    run finds them settled and does nothing. Returns the ids of the accounts moved back."""
    from accounts.services import accounts_stage_set

    changes = list(
        OverrideStageChange.objects.select_for_update(of=("self",))
        .filter(health_override_id=override_id, settled_at=None)
        .select_related("playbook")
        .order_by("-created_at", "-id")
    )
    if not changes:
        return []
    now = timezone.now()
    accounts = Account.objects.in_bulk({c.account_id for c in changes})
    restored: list[int] = []
    for change in changes:
        account = accounts.get(change.account_id)
        change.settled_at = now
        if account is None or account.lifecycle_stage != change.to_stage:
            continue  # moved by someone else since: theirs is the newer decision
        playbook_name = change.playbook.name if change.playbook else _("a deleted playbook")
        accounts_stage_set(
            accounts=[account],
            stage=change.from_stage,
            body=_(
                "The health override that made playbook '%(playbook)s' set the stage to %(stage)s has ended:"
                " stage restored."
            )
            % {"playbook": playbook_name, "stage": LifecycleStage(change.to_stage).label},
            metadata={"health_override_id": override_id, "override_stage_change_id": change.pk},
        )
        change.restored_at = now
        restored.append(account.pk)
    OverrideStageChange.objects.bulk_update(changes, ["settled_at", "restored_at"])
    return restored
