"""Writes for playbooks and the task inbox. Views, the API, Celery tasks and the command call
these; nothing else writes the models."""

from __future__ import annotations

import http.client
import json
import logging
from collections.abc import Iterable
from datetime import date, timedelta

from django.conf import settings
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import ActivityKind
from core.choices import Role
from core.models import User
from core.outbound_http import OutboundRefused, outbound_post

from .choices import OPEN_STATUSES, EmailStatus, PostStatus, RunSource, TaskStatus
from .evaluation import EvalResult, playbook_evaluate
from .models import EmailMessage, EmailTemplate, OutboundPost, Playbook, PlaybookVersion, Task, TaskTemplate
from .triggers import triggers_for_event

__all__ = [
    "email_message_approve",
    "email_message_reject",
    "email_message_send",
    "email_template_save",
    "outbound_post_send",
    "playbook_save",
    "playbook_set_enabled",
    "playbooks_run",
    "playbooks_run_event",
    "task_complete",
    "task_reassign",
    "task_reopen_snoozed",
    "task_snooze",
    "task_template_save",
    "tasks_bulk",
    "tasks_cancel_churned",
    "touch_cadence_set",
]

logger = logging.getLogger(__name__)

PLAYBOOK_FIELDS = (
    "name",
    "description",
    "trigger_type",
    "trigger_params",
    "conditions",
    "actions",
    "enabled",
    "cooldown_days",
    "max_enrolments",
)


# Section: playbooks


@transaction.atomic
def playbook_save(*, playbook: Playbook | None = None, user=None, note: str = "", **fields) -> Playbook:
    """Create (playbook=None) or update a playbook; validates it, bumps `version` and stores a
    PlaybookVersion snapshot. Raises ValidationError with per-field messages."""
    unknown = set(fields) - set(PLAYBOOK_FIELDS)
    if unknown:
        raise ValueError(f"unknown playbook fields: {', '.join(sorted(unknown))}")
    if playbook is None:
        playbook = Playbook(created_by=user if getattr(user, "pk", None) else None)
    else:
        playbook = Playbook.objects.select_for_update().get(pk=playbook.pk)
    for name, value in fields.items():
        setattr(playbook, name, value)
    playbook.full_clean()
    playbook.version += 1
    playbook.save()
    PlaybookVersion.objects.create(
        playbook=playbook,
        version=playbook.version,
        snapshot=playbook.snapshot(),
        changed_by=user if getattr(user, "pk", None) else None,
        note=note[:255],
    )
    return playbook


def playbook_set_enabled(*, playbook: Playbook, enabled: bool, user=None) -> Playbook:
    if playbook.enabled == enabled:
        return playbook
    return playbook_save(playbook=playbook, user=user, enabled=enabled, note="enabled" if enabled else "disabled")


def playbooks_run(
    *,
    as_of: date | None = None,
    source: str = RunSource.MANUAL,
    account_ids: list[int] | None = None,
    playbook_ids: Iterable[int] | None = None,
    trigger_types: Iterable[str] | None = None,
    event: dict | None = None,
) -> list[EvalResult]:
    """Evaluate every enabled playbook (or the given ones). One failing playbook is logged on
    its run and does not stop the others. First, the open tasks of accounts that have churned
    since (a stage set by an import, the API or by hand sends no signal) are cancelled."""
    tasks_cancel_churned(account_ids=account_ids)
    playbooks = Playbook.objects.enabled().order_by("id")
    if playbook_ids is not None:
        playbooks = playbooks.filter(pk__in=list(playbook_ids))
    if trigger_types is not None:
        playbooks = playbooks.filter(trigger_type__in=list(trigger_types))
    results = []
    for playbook in playbooks:
        try:
            results.append(
                playbook_evaluate(playbook=playbook, as_of=as_of, source=source, account_ids=account_ids, event=event)
            )
        except Exception:  # noqa: BLE001 - recorded on the run as failed
            logger.exception("playbook %s failed", playbook.pk)
    return results


def playbooks_run_event(*, event: dict) -> list[EvalResult]:
    """At once on an event for one account: {"event": "survey.response_recorded" |
    "subscription.changed" | "health.band_changed", "account_id": ..., ...}."""
    types = triggers_for_event(event["event"])
    if not types or not event.get("account_id"):
        return []
    as_of = date.fromisoformat(str(event["day"])) if event.get("day") else None
    return playbooks_run(
        as_of=as_of, source=RunSource.EVENT, account_ids=[int(event["account_id"])], trigger_types=types, event=event
    )


# Section: templates


def _save_template(model, obj, fields: dict):
    obj = obj or model()
    for name, value in fields.items():
        setattr(obj, name, value)
    obj.full_clean()
    obj.save()
    return obj


def task_template_save(*, template: TaskTemplate | None = None, **fields) -> TaskTemplate:
    for name in ("title", "body"):
        if name in fields:
            _check_template_syntax(name, fields[name])
    return _save_template(TaskTemplate, template, fields)


def email_template_save(*, template: EmailTemplate | None = None, **fields) -> EmailTemplate:
    for name in ("subject", "body"):
        if name in fields:
            _check_template_syntax(name, fields[name])
    return _save_template(EmailTemplate, template, fields)


def _check_template_syntax(field: str, source: str) -> None:
    """Compile with the engine that renders it (playbooks.template_context): unknown tags such
    as `{% load %}` or `{% include %}` are refused here, where the admin typed them."""
    import re

    from django.template import TemplateSyntaxError

    from .template_context import SAFE_TAGS, template_compile

    try:
        template_compile(source or "")
    except TemplateSyntaxError as exc:
        tag = re.search(r"Invalid block tag on line (\d+): '(\w+)'", str(exc))
        if tag and tag.group(2) not in SAFE_TAGS and not tag.group(2).startswith("end"):
            message = _(
                "template error: {%% %(tag)s %%} (line %(line)s) cannot be used in these templates; "
                "the tags that can are %(tags)s."
            ) % {"tag": tag.group(2), "line": tag.group(1), "tags": ", ".join(SAFE_TAGS)}
        else:
            message = _("template error: %(error)s") % {"error": exc}
        raise ValidationError({field: message}) from exc


# Section: touch cadence


@transaction.atomic
def touch_cadence_set(*, days_by_tier: dict[str, int]) -> dict[str, int]:
    """Set how often each tier is due a CSM touch (accounts.TouchCadence, which the portfolio's
    "touch due" and the no-touch trigger read). Accounts has no writer for it yet; this is it."""
    from accounts.choices import Tier
    from accounts.models import TouchCadence

    errors = {}
    for tier, days in days_by_tier.items():
        if tier not in Tier.values:
            errors[tier] = "unknown tier"
        elif not isinstance(days, int) or not 1 <= days <= 365:
            errors[tier] = "must be between 1 and 365 days"
    if errors:
        raise ValidationError(errors)
    for tier, days in days_by_tier.items():
        TouchCadence.objects.update_or_create(tier=tier, defaults={"every_days": days})
    return TouchCadence.days_by_tier()


# Section: tasks


def _require_worker(user) -> None:
    if not (user is not None and user.is_authenticated and user.has_role(Role.CSM)):
        raise PermissionDenied("Read-only users cannot change tasks.")


@transaction.atomic
def task_complete(*, task: Task, user, outcome_note: str) -> Task:
    """Mark done with an outcome note; the note lands on the account's timeline (a task
    activity). Completing a done task again changes nothing."""
    from accounts.services import activity_create

    _require_worker(user)
    note = (outcome_note or "").strip()
    if not note:
        raise ValidationError({"outcome_note": "Say what happened (the note goes on the account's timeline)."})
    task = Task.objects.select_for_update(of=("self",)).select_related("account", "playbook").get(pk=task.pk)
    if task.status == TaskStatus.DONE:
        return task
    if task.status == TaskStatus.CANCELLED:
        raise ValidationError({"status": f"This task was cancelled ({task.outcome_note})."})
    now = timezone.now()
    task.status = TaskStatus.DONE
    task.snoozed_until = None
    task.outcome_note = note
    task.completed_at = now
    task.completed_by = user
    task.save(update_fields=["status", "snoozed_until", "outcome_note", "completed_at", "completed_by", "updated_at"])
    body = note
    if task.reason:
        body += f"\n\nWhy: {task.reason}"
    activity_create(
        account=task.account,
        kind=ActivityKind.TASK,
        author=user,
        subject=f"Task done: {task.title}",
        body=body,
        occurred_at=now,
        metadata={"task_id": task.pk, "playbook_id": task.playbook_id},
    )
    return task


def task_snooze(*, task: Task, user, until: date) -> Task:
    _require_worker(user)
    today = timezone.now().date()
    if until <= today:
        raise ValidationError({"until": "Snooze until a day after today."})
    if until > today + timedelta(days=365):
        raise ValidationError({"until": "Snooze for at most a year."})
    updated = Task.objects.filter(pk=task.pk, status__in=OPEN_STATUSES).update(
        status=TaskStatus.SNOOZED, snoozed_until=until, updated_at=timezone.now()
    )
    if not updated:
        raise ValidationError({"status": "A done or cancelled task cannot be snoozed."})
    task.refresh_from_db()
    return task


def task_reassign(*, task: Task, user, assignee: User) -> Task:
    _require_worker(user)
    if not (assignee.is_active and assignee.has_role(Role.CSM)):
        raise ValidationError({"assignee": "Assign to an active CSM, manager or admin."})
    Task.objects.filter(pk=task.pk).update(assignee=assignee, updated_at=timezone.now())
    task.assignee = assignee
    return task


def tasks_bulk(
    *,
    task_ids: Iterable[int],
    user,
    action: str,
    outcome_note: str = "",
    until: date | None = None,
    assignee: User | None = None,
) -> dict:
    """Apply one action to many tasks; per-task errors are reported, not raised.
    Returns {"done": n, "errors": {task_id: message}}."""
    _require_worker(user)
    tasks = list(Task.objects.filter(pk__in=list(task_ids)).select_related("account"))
    if action not in ("complete", "snooze", "reassign"):
        raise ValidationError({"action": "Choose complete, snooze or reassign."})
    if action == "complete" and not (outcome_note or "").strip():
        raise ValidationError({"outcome_note": "Say what happened (the note goes on each account's timeline)."})
    if action == "snooze" and until is None:
        raise ValidationError({"until": "Choose a day."})
    if action == "reassign" and assignee is None:
        raise ValidationError({"assignee": "Choose someone."})
    done, errors = 0, {}
    for task in tasks:
        try:
            if action == "complete":
                task_complete(task=task, user=user, outcome_note=outcome_note)
            elif action == "snooze":
                task_snooze(task=task, user=user, until=until)
            else:
                task_reassign(task=task, user=user, assignee=assignee)
            done += 1
        except ValidationError as exc:
            errors[task.pk] = " ".join(exc.messages)
    return {"done": done, "errors": errors}


CHURNED_NOTE = "Cancelled: the account churned."


@transaction.atomic
def tasks_cancel_churned(*, account_ids: Iterable[int] | None = None) -> int:
    """Cancel the open and snoozed tasks of churned accounts (lifecycle stage Churned), all of
    them or those of `account_ids`, except the tasks of playbooks that handle churn (win-back,
    exit interview: `Playbook.handles_churn`). Each task keeps why in its outcome note; each
    account gets one timeline entry listing them. Returns how many tasks were cancelled.
    A constant number of queries plus one timeline write per account concerned."""
    from accounts.choices import LifecycleStage
    from accounts.models import Account
    from accounts.services import activity_create

    keep = [
        p.pk
        for p in Playbook.objects.only("trigger_type", "trigger_params", "conditions", "actions")
        if p.handles_churn
    ]
    qs = Task.objects.filter(status__in=OPEN_STATUSES, account__lifecycle_stage=LifecycleStage.CHURNED)
    if account_ids is not None:
        qs = qs.filter(account_id__in=list(account_ids))
    if keep:
        qs = qs.exclude(playbook_id__in=keep)
    rows = list(
        qs.select_for_update(of=("self",)).order_by("account_id", "id").values_list("pk", "account_id", "title")
    )
    if not rows:
        return 0
    now = timezone.now()
    cancelled = Task.objects.filter(pk__in=[pk for pk, _, _ in rows], status__in=OPEN_STATUSES).update(
        status=TaskStatus.CANCELLED,
        snoozed_until=None,
        outcome_note=CHURNED_NOTE,
        completed_at=now,
        completed_by=None,
        updated_at=now,
    )
    by_account: dict[int, list[tuple[int, str]]] = {}
    for pk, account_id, title in rows:
        by_account.setdefault(account_id, []).append((pk, title))
    for account in Account.objects.filter(pk__in=list(by_account)).order_by("pk"):
        tasks = by_account[account.pk]
        activity_create(
            account=account,
            kind=ActivityKind.SYSTEM,
            subject=f"{len(tasks)} open task{'s' if len(tasks) != 1 else ''} cancelled: the account churned",
            body="\n".join(f"- {title}" for _, title in tasks),
            occurred_at=now,
            metadata={"task_ids": [pk for pk, _ in tasks], "reason": "churned"},
        )
    return cancelled


def task_reopen_snoozed(*, today: date | None = None) -> int:
    """Snoozed tasks whose day has come are open again (nightly, and the inbox treats them as
    open already)."""
    today = today or timezone.now().date()
    return Task.objects.filter(status=TaskStatus.SNOOZED, snoozed_until__lte=today).update(
        status=TaskStatus.OPEN, snoozed_until=None, updated_at=timezone.now()
    )


# Section: email


def _can_decide(message: EmailMessage, user) -> bool:
    if user.has_role(Role.MANAGER):
        return True
    return user.has_role(Role.CSM) and message.account.owner_id == user.pk


@transaction.atomic
def email_message_approve(*, message: EmailMessage, user) -> EmailMessage:
    """The CSM approves a held email: it is sent if the contact's fatigue budget still allows."""
    from surveys.fatigue import fatigue_allowed_contact_ids

    message = EmailMessage.objects.select_for_update().select_related("account").get(pk=message.pk)
    if not _can_decide(message, user):
        raise PermissionDenied("Only the account's owner or a manager approves its emails.")
    if message.status != EmailStatus.PENDING_APPROVAL:
        raise ValidationError(
            {"status": f"This email is {message.get_status_display().lower()}, not awaiting approval."}
        )
    message.approver = user
    message.decided_at = timezone.now()
    if message.contact_id and message.contact_id not in fatigue_allowed_contact_ids(contact_ids=[message.contact_id]):
        message.status = EmailStatus.SUPPRESSED
    else:
        message.status = EmailStatus.QUEUED
    message.save(update_fields=["approver", "decided_at", "status"])
    if message.status == EmailStatus.QUEUED:
        from .tasks import email_send_task

        transaction.on_commit(lambda: email_send_task.delay(message.pk))
    return message


def email_message_reject(*, message: EmailMessage, user) -> EmailMessage:
    if not _can_decide(message, user):
        raise PermissionDenied("Only the account's owner or a manager rejects its emails.")
    updated = EmailMessage.objects.filter(pk=message.pk, status=EmailStatus.PENDING_APPROVAL).update(
        status=EmailStatus.REJECTED, approver=user, decided_at=timezone.now()
    )
    if not updated:
        raise ValidationError({"status": "This email is not awaiting approval."})
    message.refresh_from_db()
    return message


def email_message_send(*, message_id: int) -> bool:
    """Send a queued email once: the row is claimed (QUEUED -> SENT) before the SMTP call, so
    a retried or duplicated Celery task sends nothing twice. Spends the contact's fatigue
    budget. Returns True when this call sent it."""
    from accounts.services import activity_create
    from surveys.fatigue import fatigue_record

    with transaction.atomic():
        claimed = EmailMessage.objects.filter(pk=message_id, status=EmailStatus.QUEUED).update(
            status=EmailStatus.SENT, sent_at=timezone.now()
        )
        if not claimed:
            return False
        message = EmailMessage.objects.select_related("account", "contact").get(pk=message_id)
        try:
            mail.send_mail(message.subject, message.body, settings.DEFAULT_FROM_EMAIL, [message.to_email])
        except Exception as exc:  # noqa: BLE001 - kept on the row for the log
            EmailMessage.objects.filter(pk=message_id).update(status=EmailStatus.FAILED, error=str(exc)[:2000])
            return False
        if message.contact_id:
            fatigue_record(contact_id=message.contact_id, channel="email", kind="email", account_id=message.account_id)
        activity_create(
            account=message.account,
            kind=ActivityKind.SYSTEM,
            contact=message.contact,
            subject=f"Email sent: {message.subject}",
            body=message.body[:2000],
            metadata={"email_message_id": message.pk, "playbook_id": message.playbook_id},
        )
    return True


# Section: outbound posts


def outbound_post_send(*, post_id: int, timeout: float = 10.0) -> bool:
    """POST the payload as JSON. Returns True when delivered (2xx); raises on a transient error
    so the Celery task retries; a 4xx is final."""
    post = OutboundPost.objects.filter(pk=post_id).first()
    if post is None or post.status == PostStatus.SENT:
        return False
    body = json.dumps(post.payload).encode()
    OutboundPost.objects.filter(pk=post_id).update(attempts=post.attempts + 1)
    try:
        # core.outbound_http: public addresses only (checked now, connected to as checked), no redirects.
        response = outbound_post(
            post.url,
            body=body,
            headers={"Content-Type": "application/json", "User-Agent": "csplatform"},
            timeout=timeout,
        )
    except OutboundRefused as exc:  # final: retrying would be refused again
        OutboundPost.objects.filter(pk=post_id).update(status=PostStatus.FAILED, error=f"Refused: {exc}"[:2000])
        return False
    except (TimeoutError, OSError, http.client.HTTPException) as exc:
        OutboundPost.objects.filter(pk=post_id).update(error=str(exc)[:2000])
        raise
    code = response.status
    if code >= 500:
        OutboundPost.objects.filter(pk=post_id).update(response_code=code, error=f"HTTP {code}")
        raise OSError(f"HTTP {code}")
    if 300 <= code < 400:
        error = _("Redirect (HTTP %(status)s) to %(location)s not followed: use the final URL instead.") % {
            "status": code,
            "location": response.location or "?",
        }
        OutboundPost.objects.filter(pk=post_id).update(status=PostStatus.FAILED, response_code=code, error=error)
        return False
    if 200 <= code < 300:
        OutboundPost.objects.filter(pk=post_id).update(
            status=PostStatus.SENT, response_code=code, sent_at=timezone.now(), error=""
        )
        return True
    OutboundPost.objects.filter(pk=post_id).update(status=PostStatus.FAILED, response_code=code, error=f"HTTP {code}")
    return False
