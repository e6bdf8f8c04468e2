"""What a playbook does for the accounts it enrols: tasks from templates, emails to contacts
(held for approval or by the fatigue budget), webhook calls and Slack posts, lifecycle stage
changes, surveys, onboarding checklists and success plans.

The built-in actions are `choices.ActionType`; an app above playbooks adds its own with
`register_action(RegisteredAction(...))` from its `AppConfig.ready()` (renewals: "open a risk").
A registered action brings its validation, its one-line description, its builder fields
(`ActionParam`: a choice each) and its bulk handler, called like the built-in ones.

`actions_execute` runs inside the evaluation's transaction, for a chunk of enrolments at a
time, in bulk (a constant number of queries per action and chunk, except the services of the
floors below that take one account). Anything that leaves the database (mail, HTTP) is queued
to Celery on commit. It returns, per enrolment, what each action did: the run log.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from accounts.choices import LifecycleStage
from accounts.models import Account, Contact
from core.outbound_http import OutboundRefused, outbound_url_check

from .action_registry import ACTIONS, ActionParam, RegisteredAction, action_type_choices, register_action
from .assignment import assignees_resolve
from .choices import ActionType, EmailStatus, PostKind, Priority
from .models import EmailMessage, EmailTemplate, Enrolment, OutboundPost, Task, TaskTemplate
from .services.tasks import tasks_assigned_announce
from .template_context import render_text, render_text_in, template_context

__all__ = [
    "ACTIONS",
    "ActionParam",
    "RegisteredAction",
    "action_describe",
    "action_type_choices",
    "actions_execute",
    "actions_validate",
    "register_action",
    "render_text",
]

logger = logging.getLogger(__name__)

MAX_CONTACTS_DEFAULT = 3


# Section: validation


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def actions_validate(actions: list) -> dict[str, str]:
    """{"actions[i].field": reason} for every bad action (empty when valid)."""
    if not isinstance(actions, list):
        return {"actions": "must be a list"}
    errors: dict[str, str] = {}
    for i, action in enumerate(actions):
        at = f"actions[{i}]"
        if not isinstance(action, dict):
            errors[at] = _("must be an object")
            continue
        kind = action.get("type")
        if kind in ACTIONS:
            registered = ACTIONS[kind]
            for param in registered.params:
                allowed = {str(value) for value, _label in param.choices()}
                value = action.get(param.name)
                if value in (None, "") and not param.required:
                    continue
                if str(value) not in allowed:
                    errors[f"{at}.{param.name}"] = _("choose a %(what)s") % {"what": str(param.label).lower()}
            if registered.validate is not None:
                errors.update({f"{at}.{name}": reason for name, reason in registered.validate(action).items()})
            continue
        if kind not in ActionType.values:
            errors[f"{at}.type"] = _("must be one of: %(values)s") % {
                "values": ", ".join(ActionType.values + list(ACTIONS))
            }
            continue
        if kind == ActionType.TASK:
            if not TaskTemplate.objects.filter(pk=_int(action.get("template"))).exists():
                errors[f"{at}.template"] = _("choose an existing task template")
        elif kind == ActionType.EMAIL:
            if not EmailTemplate.objects.filter(pk=_int(action.get("template"))).exists():
                errors[f"{at}.template"] = _("choose an existing email template")
            n = action.get("max_contacts", MAX_CONTACTS_DEFAULT)
            if _int(n) is None or not 1 <= int(n) <= 50:
                errors[f"{at}.max_contacts"] = _("must be between 1 and 50")
        elif kind in (ActionType.WEBHOOK, ActionType.SLACK):
            url = str(action.get("url") or "")
            if not url.startswith(("https://", "http://")):
                errors[f"{at}.url"] = _("must be an http(s) URL")
            else:
                try:
                    outbound_url_check(url)  # no internal addresses (cloud metadata, loopback, ...)
                except OutboundRefused as exc:
                    errors[f"{at}.url"] = str(exc)
        elif kind == ActionType.LIFECYCLE:
            if action.get("stage") not in LifecycleStage.values:
                errors[f"{at}.stage"] = _("must be one of: %(values)s") % {"values": ", ".join(LifecycleStage.values)}
        elif kind == ActionType.SURVEY:
            try:
                from surveys.models import Survey
            except ImportError:
                errors[f"{at}.survey"] = _("surveys are not installed")
            else:
                if not Survey.objects.filter(pk=_int(action.get("survey"))).exists():
                    errors[f"{at}.survey"] = _("choose an existing survey")
        elif kind == ActionType.CHECKLIST:
            if action.get("template") not in (None, ""):
                from onboarding.models import ChecklistTemplate

                if not ChecklistTemplate.objects.filter(pk=_int(action.get("template"))).exists():
                    errors[f"{at}.template"] = _("choose an existing checklist template (or none: by tier)")
        elif kind == ActionType.SUCCESS_PLAN:
            from onboarding.models import SuccessMap

            if not SuccessMap.objects.filter(pk=_int(action.get("success_map"))).exists():
                errors[f"{at}.success_map"] = _("choose an existing success map")
    return errors


def action_describe(action: dict, names: dict | None = None) -> str:
    """One line for the builder, e.g. "Task from ‘Call the detractor’"."""
    names = names or {}
    kind = action.get("type")
    if kind in ACTIONS:
        return ACTIONS[kind].describe(action)

    def name(kind_, key):
        return names.get((kind_, action.get(key)), action.get(key))

    if kind == ActionType.TASK:
        return _("Task from ‘%(name)s’") % {"name": name("task", "template")}
    if kind == ActionType.EMAIL:
        text = _("Email ‘%(name)s’ to up to %(n)s contacts, held for the CSM's approval")
        if not action.get("require_approval"):
            text = _("Email ‘%(name)s’ to up to %(n)s contacts")
        return text % {"name": name("email", "template"), "n": action.get("max_contacts", MAX_CONTACTS_DEFAULT)}
    simple = {
        ActionType.WEBHOOK: lambda: _("POST to %(url)s") % {"url": action.get("url")},
        ActionType.SLACK: lambda: _("Post to Slack"),
        ActionType.LIFECYCLE: lambda: (
            _("Set lifecycle stage to %(stage)s") % {"stage": LifecycleStage(action["stage"]).label}
        ),
        ActionType.SURVEY: lambda: _("Send survey ‘%(name)s’") % {"name": name("survey", "survey")},
        ActionType.SUCCESS_PLAN: lambda: _("Start a success plan on ‘%(name)s’") % {"name": name("map", "success_map")},
    }
    if kind in simple:
        return simple[kind]()
    if kind == ActionType.CHECKLIST:
        if action.get("template"):
            return _("Start the onboarding checklist (template #%(id)s)") % {"id": action["template"]}
        return _("Start the onboarding checklist for the tier")
    return str(kind)


# Section: execution


def actions_execute(
    *, playbook, enrolments: list[Enrolment], accounts: dict[int, Account], ctx
) -> dict[int, list[str]]:
    outcomes: dict[int, list[str]] = defaultdict(list)
    handlers = {
        ActionType.TASK: _task,
        ActionType.EMAIL: _email,
        ActionType.WEBHOOK: _post,
        ActionType.SLACK: _post,
        ActionType.LIFECYCLE: _lifecycle,
        ActionType.SURVEY: _survey,
        ActionType.CHECKLIST: _checklist,
        ActionType.SUCCESS_PLAN: _success_plan,
        **{key: registered.execute for key, registered in ACTIONS.items()},
    }
    for step, action in enumerate(playbook.actions or []):
        handler = handlers.get(action.get("type"))
        if handler is None:
            continue
        try:
            with transaction.atomic():  # a savepoint: one failing action does not undo the others
                handler(
                    playbook=playbook,
                    step=step,
                    action=action,
                    enrolments=enrolments,
                    accounts=accounts,
                    ctx=ctx,
                    outcomes=outcomes,
                )
        except Exception as exc:  # noqa: BLE001 - logged on the run, the other actions go on
            logger.exception("playbook %s action %s failed", playbook.pk, step)
            for e in enrolments:
                outcomes[e.pk].append(f"{action.get('type')} failed: {exc}")
    return outcomes


def _base_context(playbook, enrolment, account, contact=None) -> dict:
    """Plain values of allowed fields only (playbooks.template_context), never model objects."""
    return template_context(
        playbook=playbook, account=account, reason=enrolment.reason, signal=enrolment.signal, contact=contact
    )


def _task(*, playbook, step, action, enrolments, accounts, ctx, outcomes):
    from core.models import WebhookEndpoint
    from core.webhooks import webhook_emit

    template = TaskTemplate.objects.get(pk=action["template"])
    # One look at the endpoints per chunk, not one per task.
    emit = any(e.wants("task.created") for e in WebhookEndpoint.objects.filter(is_active=True))
    enrolled_accounts = [accounts[e.account_id] for e in enrolments]
    assignees = assignees_resolve(
        rule=template.assignee_rule,
        accounts=enrolled_accounts,
        named_user_id=template.assignee_user_id,
        playbook_id=playbook.pk,
    )
    due = ctx.as_of + timedelta(days=template.due_in_days)
    rows = []
    for e in enrolments:
        account = accounts[e.account_id]
        context = _base_context(playbook, e, account)
        rows.append(
            Task(
                account_id=e.account_id,
                playbook=playbook,
                enrolment=e,
                step=step,
                template=template,
                title=render_text(template.title, context)[:255] or template.name,
                body=render_text(template.body, context),
                reason=e.reason,
                reason_data=e.reason_data,
                signal=e.signal,
                priority=template.priority,
                due_date=due,
                assignee_id=assignees.get(e.account_id),
                created_at=ctx.now,
            )
        )
    # The partial unique index (account, playbook, step) while open: a concurrent run that got
    # here first wins, and this insert does nothing for that account.
    Task.objects.bulk_create(rows, ignore_conflicts=True)
    created = {
        t.enrolment_id: t
        for t in Task.objects.filter(enrolment__in=enrolments, step=step).select_related("assignee", "account")
    }
    fresh = [t.pk for t in created.values() if t.assignee_id is not None and t.created_at == ctx.now]
    tasks_assigned_announce(task_ids=fresh, actor=None)  # one signal for the chunk (notifications)
    for e in enrolments:
        task = created.get(e.pk)
        if task is None:
            outcomes[e.pk].append(f"task '{template.name}' not created: one is already open")
            continue
        who = str(task.assignee) if task.assignee else "nobody (no CSM available)"
        outcomes[e.pk].append(f"task #{task.pk} '{task.title}' for {who}, due {task.due_date:%d %b}")
        if not emit:
            continue
        webhook_emit(event="task.created", payload=task_created_payload(task, task.account, playbook=playbook))


def task_created_payload(task: Task, account: Account, *, playbook=None) -> dict:
    """The `task.created` webhook's payload, for a playbook's task and a task made by hand alike."""
    return {
        "task": {
            "id": task.pk,
            "title": task.title,
            "reason": task.reason,
            "priority": Priority(task.priority).label.lower(),
            "due_date": task.due_date,
            "assignee": task.assignee.username if task.assignee_id else None,
        },
        "account": {"id": account.pk, "external_id": account.external_id, "name": account.name},
        "playbook": {"id": playbook.pk, "name": playbook.name} if playbook else None,
    }


def _contacts_for(account_ids: list[int], *, max_contacts: int, persona_id=None) -> dict[int, list[Contact]]:
    """Up to `max_contacts` contacts with an email per account, most recently seen first."""
    qs = Contact.objects.filter(account_id__in=account_ids).exclude(email="")
    if persona_id:
        qs = qs.filter(persona_id=persona_id)
    by_account: dict[int, list[Contact]] = defaultdict(list)
    for contact in qs.order_by("account_id", F("last_seen_at").desc(nulls_last=True), "id"):
        if len(by_account[contact.account_id]) < max_contacts:
            by_account[contact.account_id].append(contact)
    return by_account


def _email(*, playbook, step, action, enrolments, accounts, ctx, outcomes):
    from surveys.fatigue import fatigue_allowed_contact_ids

    template = EmailTemplate.objects.get(pk=action["template"])
    contacts = _contacts_for(
        [e.account_id for e in enrolments],
        max_contacts=int(action.get("max_contacts", MAX_CONTACTS_DEFAULT)),
        persona_id=action.get("persona"),
    )
    all_ids = [c.pk for cs in contacts.values() for c in cs]
    allowed = fatigue_allowed_contact_ids(contact_ids=all_ids, now=ctx.now) if all_ids else set()
    approval = bool(action.get("require_approval"))
    rows = []
    for e in enrolments:
        account = accounts[e.account_id]
        for contact in contacts.get(e.account_id, []):
            context = _base_context(playbook, e, account, contact)
            if contact.pk not in allowed:
                status = EmailStatus.SUPPRESSED
            elif approval:
                status = EmailStatus.PENDING_APPROVAL
            else:
                status = EmailStatus.QUEUED
            rows.append(
                EmailMessage(
                    playbook=playbook,
                    enrolment=e,
                    account_id=e.account_id,
                    contact=contact,
                    template=template,
                    to_email=contact.email,
                    # In the contact's language, else the default (core.content_translations).
                    subject=render_text_in(template, "subject", contact.language, context)[:255],
                    body=render_text_in(template, "body", contact.language, context),
                    status=status,
                    created_at=ctx.now,
                )
            )
    EmailMessage.objects.bulk_create(rows, ignore_conflicts=True)
    counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    queued: list[int] = []
    for message_id, enrolment_id, status in EmailMessage.objects.filter(
        enrolment__in=enrolments, template=template
    ).values_list("id", "enrolment_id", "status"):
        counts[enrolment_id][status] += 1
        if status == EmailStatus.QUEUED:
            queued.append(message_id)
    for e in enrolments:
        c = counts.get(e.pk)
        if not c:
            outcomes[e.pk].append(f"email '{template.name}': no contact with an email address")
            continue
        parts = [f"{n} {EmailStatus(s).label.lower()}" for s, n in sorted(c.items())]
        outcomes[e.pk].append(f"email '{template.name}': " + ", ".join(parts))
    if queued:
        from .tasks import email_send_task

        transaction.on_commit(lambda: [email_send_task.delay(i) for i in queued])


def _post(*, playbook, step, action, enrolments, accounts, ctx, outcomes):
    kind = PostKind.SLACK if action["type"] == ActionType.SLACK else PostKind.WEBHOOK
    rows = []
    for e in enrolments:
        account = accounts[e.account_id]
        if kind == PostKind.SLACK:
            text = action.get("text") or "*{{ playbook.name }}* fired for *{{ account.name }}*: {{ reason }}"
            payload = {"text": render_text(text, _base_context(playbook, e, account))}
        else:
            payload = {
                "event": "playbook.fired",
                "playbook": {"id": playbook.pk, "name": playbook.name},
                "account": {"id": account.pk, "external_id": account.external_id, "name": account.name},
                "reason": e.reason,
                "signal": e.signal,
                "occurred_at": ctx.now.isoformat(),
            }
        rows.append(OutboundPost(playbook=playbook, enrolment=e, kind=kind, url=action["url"], payload=payload))
    posts = OutboundPost.objects.bulk_create(rows)
    ids = [p.pk for p in posts if p.pk is not None]
    if len(ids) != len(posts):
        ids = list(OutboundPost.objects.filter(enrolment__in=enrolments, kind=kind).values_list("id", flat=True))
    for e in enrolments:
        outcomes[e.pk].append(f"{kind} post queued")
    from .tasks import outbound_post_send_task

    transaction.on_commit(lambda: [outbound_post_send_task.delay(i) for i in ids])


def _lifecycle(*, playbook, step, action, enrolments, accounts, ctx, outcomes):
    from accounts.services import accounts_stage_set

    stage = action["stage"]
    label = LifecycleStage(stage).label
    by_account = {e.account_id: e for e in enrolments}
    old_stages = {e.account_id: accounts[e.account_id].lifecycle_stage for e in enrolments}
    moved = accounts_stage_set(
        accounts=[accounts[e.account_id] for e in enrolments],
        stage=stage,
        body=lambda a: f"Playbook '{playbook.name}': {by_account[a.pk].reason}",
        metadata=lambda a: {"playbook_id": playbook.pk, "enrolment_id": by_account[a.pk].pk},
    )
    for e in enrolments:
        if e.account_id in moved and by_account[e.account_id] is e:
            outcomes[e.pk].append(f"lifecycle stage {moved[e.account_id]} → {label}")
        else:
            outcomes[e.pk].append(f"lifecycle stage already {label}")
    from .overrides import override_stage_changes_record

    # A move a CSM's health override caused is undone when the override ends.
    override_stage_changes_record(
        playbook=playbook, enrolments=enrolments, old_stages=old_stages, to_stage=stage, moved=moved
    )
    if stage == LifecycleStage.CHURNED and moved:
        from .services import tasks_cancel_churned

        # The account's other open tasks go at once (this playbook's own stay: it handles churn).
        tasks_cancel_churned(account_ids=list(moved))


def _survey(*, playbook, step, action, enrolments, accounts, ctx, outcomes):
    from surveys.models import Survey
    from surveys.services import survey_send

    survey = Survey.objects.get(pk=action["survey"])
    contacts = _contacts_for([e.account_id for e in enrolments], max_contacts=int(action.get("max_contacts", 3)))
    contact_ids = [c.pk for cs in contacts.values() for c in cs]
    result = survey_send(survey=survey, contact_ids=contact_ids) if contact_ids else {"sent": 0}
    for e in enrolments:
        n = len(contacts.get(e.account_id, []))
        outcomes[e.pk].append(
            f"survey '{survey.name}' offered to {n} contact{'s' if n != 1 else ''} "
            f"(batch: {result.get('sent', 0)} sent, fatigue and audience rules applied)"
        )


def _checklist(*, playbook, step, action, enrolments, accounts, ctx, outcomes):
    from onboarding.models import ChecklistTemplate
    from onboarding.services import checklist_start

    template = ChecklistTemplate.objects.filter(pk=action.get("template")).first() if action.get("template") else None
    for e in enrolments:
        try:
            with transaction.atomic():
                checklist = checklist_start(account=accounts[e.account_id], template=template)
        except ValidationError as exc:
            outcomes[e.pk].append(f"checklist not started: {' '.join(exc.messages)}")
        else:
            outcomes[e.pk].append(f"onboarding checklist '{checklist.name}' active")


def _success_plan(*, playbook, step, action, enrolments, accounts, ctx, outcomes):
    from onboarding.models import SuccessMap
    from onboarding.services import success_plan_start

    success_map = SuccessMap.objects.get(pk=action["success_map"])
    for e in enrolments:
        try:
            with transaction.atomic():
                success_plan_start(account=accounts[e.account_id], success_map=success_map)
        except ValidationError as exc:
            outcomes[e.pk].append(f"success plan not started: {' '.join(exc.messages)}")
        else:
            outcomes[e.pk].append(f"success plan on '{success_map.name}' active")
