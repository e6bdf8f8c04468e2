"""Demo step: the default playbooks (with their task and email templates), a first
evaluation over the last week so the inbox has overdue, today's and upcoming tasks with
reasons, and a few tasks already done so the team view has history."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from playbooks.choices import AssigneeRule, Priority, RunSource, TaskStatus, TriggerType
from playbooks.models import EmailTemplate, Enrolment, Playbook, PlaybookRun, Task, TaskTemplate
from playbooks.services import email_template_save, playbook_save, playbooks_run, task_complete, task_template_save

from .context import DemoContext

__all__ = ["default_playbooks_create", "playbooks_demo_step"]

TASK_TEMPLATES = {
    "detractor": dict(
        name="Call the detractor",
        title="Call {{ account.name }} about their NPS answer",
        body="Close the loop within two days: thank them, ask what would change their score, agree a next step.",
        priority=Priority.HIGH,
        due_in_days=2,
        assignee_rule=AssigneeRule.OWNER,
    ),
    "red": dict(
        name="Rescue plan for a red account",
        title="Health is red at {{ account.name }}: build a rescue plan",
        body="Review the health card, talk to the champion this week, and write the plan on the timeline.",
        priority=Priority.URGENT,
        due_in_days=1,
        assignee_rule=AssigneeRule.OWNER,
    ),
    "renewal": dict(
        name="Prepare the renewal",
        title="Prepare the renewal of {{ account.name }}",
        body="Check usage and open tickets, confirm the decision maker, and send the renewal summary.",
        priority=Priority.NORMAL,
        due_in_days=14,
        assignee_rule=AssigneeRule.OWNER,
    ),
    "touch": dict(
        name="Check in (cadence)",
        title="Check in with {{ account.name }}",
        body="A short call or email: how is it going, anything blocking?",
        priority=Priority.LOW,
        due_in_days=3,
        assignee_rule=AssigneeRule.OWNER,
    ),
    "stalled": dict(
        name="Unblock onboarding",
        title="Onboarding is stuck at {{ account.name }}",
        body="Find out what blocks the next checklist item and offer a working session.",
        priority=Priority.HIGH,
        due_in_days=2,
        assignee_rule=AssigneeRule.OWNER,
    ),
    "upsell": dict(
        name="Upsell conversation",
        title="{{ account.name }} is near its plan limit",
        body="They are about to outgrow the plan: suggest the next tier before they hit the wall.",
        priority=Priority.NORMAL,
        due_in_days=7,
        assignee_rule=AssigneeRule.OWNER,
    ),
}

EMAIL_TEMPLATES = {
    "renewal": dict(
        name="Renewal check-in",
        subject="Your {{ account.name }} renewal",
        body=(
            "Hi {{ contact.name|default:'there' }},\n\n"
            "Your subscription renews soon. Could we take 20 minutes to look back at the year\n"
            "and plan the next one?\n\n"
            "{{ csm.name|default:'Your customer success manager' }}"
        ),
    ),
}


@transaction.atomic
def default_playbooks_create(*, user=None, enabled: bool = True) -> list[Playbook]:
    """The six default playbooks (idempotent: existing names are left as they are)."""
    tt = {}
    for key, fields in TASK_TEMPLATES.items():
        tt[key] = TaskTemplate.objects.filter(name=fields["name"]).first() or task_template_save(**fields)
    et = {}
    for key, fields in EMAIL_TEMPLATES.items():
        et[key] = EmailTemplate.objects.filter(name=fields["name"]).first() or email_template_save(**fields)
    specs = [
        dict(
            name="Detractor follow-up",
            description="An NPS detractor gets a call from their CSM within two days.",
            trigger_type=TriggerType.SURVEY_ANSWER,
            trigger_params={"answer": "detractor", "lookback_days": 7},
            actions=[{"type": "task", "template": tt["detractor"].pk}],
            cooldown_days=14,
        ),
        dict(
            name="Health dropped to red",
            description="Any account turning red gets a rescue plan and is marked at risk.",
            trigger_type=TriggerType.HEALTH_BAND_CHANGE,
            trigger_params={"to_band": "red", "from_band": "any"},
            actions=[{"type": "task", "template": tt["red"].pk}, {"type": "lifecycle", "stage": "at_risk"}],
            cooldown_days=21,
        ),
        dict(
            name="Renewal in 90 days",
            description="Start the renewal conversation a quarter ahead; the email waits for the CSM's approval.",
            trigger_type=TriggerType.RENEWAL_DUE,
            trigger_params={"days": 90},
            conditions={"arr_min": 6000},
            actions=[
                {"type": "task", "template": tt["renewal"].pk},
                {"type": "email", "template": et["renewal"].pk, "require_approval": True, "max_contacts": 1},
            ],
            cooldown_days=60,
        ),
        dict(
            name="No touch for the tier's cadence",
            description="Strategic and key accounts nobody has talked to for longer than their cadence.",
            trigger_type=TriggerType.NO_TOUCH,
            trigger_params={"grace_days": 0},
            conditions={"tiers": ["strategic", "key"]},
            actions=[{"type": "task", "template": tt["touch"].pk}],
            cooldown_days=7,
        ),
        dict(
            name="Onboarding stalled",
            description="No checklist item done for two weeks.",
            trigger_type=TriggerType.ONBOARDING_STALLED,
            trigger_params={"days": 14},
            actions=[{"type": "task", "template": tt["stalled"].pk}],
            cooldown_days=14,
        ),
        dict(
            name="Usage near the plan limit",
            description="Seats at 80% of the plan: an upsell signal.",
            trigger_type=TriggerType.ENTITLEMENT_USAGE,
            trigger_params={"metric": "seats", "percent": 80, "days": 30},
            actions=[{"type": "task", "template": tt["upsell"].pk}],
            cooldown_days=60,
            max_enrolments=3,
        ),
    ]
    out = []
    for spec in specs:
        existing = Playbook.objects.filter(name=spec["name"]).first()
        out.append(existing or playbook_save(user=user, enabled=enabled, note="default playbook", **spec))
    return out


def playbooks_demo_step(ctx: DemoContext) -> None:
    if not Enrolment.objects.exists():
        # After seed_demo --flush the enrolments went with the accounts; the run logs about
        # those accounts would only confuse.
        PlaybookRun.objects.all().delete()
    default_playbooks_create()
    # Evaluate the last week day by day, as the nightly run would have: tasks from earlier days
    # are overdue today, the newest are due today or later.
    for offset in (6, 4, 2, 1, 0):
        playbooks_run(as_of=ctx.today - timedelta(days=offset), source=RunSource.NIGHTLY)
    rng = ctx.rng_for("playbooks")
    tasks = list(
        Task.objects.filter(status=TaskStatus.OPEN, assignee__isnull=False).select_related("assignee").order_by("id")
    )
    done = 0
    notes = [
        "Spoke with the champion; agreed on a follow-up call next week.",
        "Sent the summary and booked a review with their team lead.",
        "Left a voicemail and followed up by email.",
    ]
    for task in rng.sample(tasks, k=min(len(tasks) // 6, 40)):
        task_complete(task=task, user=task.assignee, outcome_note=rng.choice(notes))
        done += 1
    n = Task.objects.count()
    ctx.log(f"playbooks: {Playbook.objects.count()} playbooks, {n} tasks ({done} done) as of {timezone.now():%Y-%m-%d}")
