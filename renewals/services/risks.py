"""Writes for risk and escalation records: open (by hand, through the API, or by a playbook's
"open a risk" action, in bulk), update (status, severity, owner, due date, plan), link tasks,
close as saved or lost. Opening and closing put an entry on the account's timeline; closing
says the outcome there."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import ActivityKind
from accounts.models import Account
from accounts.services import activity_create
from core.choices import Role

from ..choices import RISK_CLOSED_STATUSES, RISK_OPEN_STATUSES, RiskSeverity, RiskSource, RiskStatus, RiskType
from ..models import ReasonCode, Risk

__all__ = [
    "RISK_EDITABLE_FIELDS",
    "risk_close",
    "risk_open",
    "risk_task_link",
    "risk_update",
    "risks_open_for_accounts",
]

MAX_DUE_DAYS = 2 * 366
RISK_EDITABLE_FIELDS = ("severity", "owner", "status", "due_date", "mitigation_plan", "arr_at_risk", "reason_code")


def _require_worker(user) -> None:
    if not (user is not None and user.is_authenticated and user.is_active and user.has_role(Role.CSM)):
        raise PermissionDenied(_("Read-only users cannot change risks."))


def _money(value, field: str, errors: dict) -> Decimal | None:
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError, TypeError):
        errors[field] = _("Enter an amount.")
        return None
    if amount < 0 or not amount.is_finite():
        errors[field] = _("The amount cannot be negative.")
        return None
    if amount >= Decimal("1e12"):
        errors[field] = _("The amount is too large.")
        return None
    return amount


def _check_fields(*, values: dict, today: date, errors: dict, new_due: bool) -> None:
    if "type" in values and values["type"] not in RiskType.values:
        errors["type"] = _("Choose a risk type.")
    if "severity" in values and values["severity"] not in RiskSeverity.values:
        errors["severity"] = _("Choose a severity.")
    reason = values.get("reason_code", "")
    if "reason_code" in values and (not isinstance(reason, ReasonCode) or reason.archived):
        errors["reason_code"] = _("Choose a reason from the list.")
    due = values.get("due_date")
    if due is not None and new_due:
        if due < today:
            errors["due_date"] = _("The due date cannot be in the past.")
        elif due > today + timedelta(days=MAX_DUE_DAYS):
            errors["due_date"] = _("Choose a due date within two years.")
    owner = values.get("owner")
    if owner is not None and not (owner.is_active and owner.has_role(Role.CSM)):
        errors["owner"] = _("The owner must be an active CSM, manager or admin.")
    if "mitigation_plan" in values and len(values["mitigation_plan"] or "") > 10000:
        errors["mitigation_plan"] = _("At most 10,000 characters.")


def _timeline(risk: Risk, *, user, subject: str, body: str = "", event: str) -> None:
    activity_create(
        account=risk.account,
        kind=ActivityKind.SYSTEM,
        author=user,
        subject=subject,
        body=body,
        metadata={"risk_id": risk.pk, "event": event, "status": risk.status},
    )


@transaction.atomic
def risk_open(
    *,
    user,
    account: Account,
    type: str,
    reason_code: ReasonCode | None,
    severity: str = RiskSeverity.MEDIUM,
    arr_at_risk=None,
    currency: str = "",
    owner=None,
    due_date: date | None = None,
    mitigation_plan: str = "",
    source: str = RiskSource.MANUAL,
    today: date | None = None,
) -> Risk:
    """Open one risk on `account`. The ARR at risk defaults to the account's ARR, in its
    currency; the owner to the account's owner. ValidationError with per-field messages."""
    _require_worker(user)
    today = today or timezone.now().date()
    errors: dict[str, str] = {}
    values = {"type": type, "severity": severity, "reason_code": reason_code, "due_date": due_date}
    if owner is not None:
        values["owner"] = owner
    values["mitigation_plan"] = mitigation_plan or ""
    _check_fields(values=values, today=today, errors=errors, new_due=True)
    amount = account.mrr * 12 if arr_at_risk in (None, "") else _money(arr_at_risk, "arr_at_risk", errors)
    if errors:
        raise ValidationError(errors)
    assert isinstance(reason_code, ReasonCode) and amount is not None  # checked above
    risk = Risk.objects.create(
        account=account,
        type=type,
        reason_code=reason_code,
        severity=severity,
        arr_at_risk=amount,
        currency=(currency or account.currency or "USD").upper()[:3],
        owner=owner or account.owner,
        due_date=due_date,
        mitigation_plan=(mitigation_plan or "").strip(),
        source=source,
        opened_by=user,
    )
    _timeline(
        risk,
        user=user,
        subject=f"Risk opened: {risk.get_type_display()} ({reason_code.label}), {risk.get_severity_display()}",
        body=risk.mitigation_plan,
        event="opened",
    )
    return risk


@transaction.atomic
def risk_update(*, user, risk: Risk, today: date | None = None, **changes) -> Risk:
    """Change what a live risk says: severity, owner, status (open / mitigating), due date,
    mitigation plan, ARR at risk, reason. Closing is `risk_close`."""
    _require_worker(user)
    today = today or timezone.now().date()
    unknown = set(changes) - set(RISK_EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be changed.") for name in sorted(unknown)})
    risk = Risk.objects.select_for_update(of=("self",)).select_related("account").get(pk=risk.pk)
    if not risk.is_open:
        raise ValidationError({"status": _("This risk is closed.")})
    errors: dict[str, str] = {}
    if "status" in changes and changes["status"] not in RISK_OPEN_STATUSES:
        errors["status"] = _("Close a risk as saved or lost with its outcome.")
    _check_fields(values=changes, today=today, errors=errors, new_due=changes.get("due_date") != risk.due_date)
    if "arr_at_risk" in changes:
        changes["arr_at_risk"] = _money(changes["arr_at_risk"], "arr_at_risk", errors)
    if errors:
        raise ValidationError(errors)
    if "mitigation_plan" in changes:
        changes["mitigation_plan"] = (changes["mitigation_plan"] or "").strip()
    changed = [name for name, value in changes.items() if getattr(risk, name) != value]
    for name in changed:
        setattr(risk, name, changes[name])
    if changed:
        risk.save(update_fields=[*changed, "updated_at"])
    return risk


@transaction.atomic
def risk_close(*, user, risk: Risk, outcome: str, note: str) -> Risk:
    """Close as saved or lost with a note; the outcome goes on the account's timeline. Closing
    a risk again with the same outcome changes nothing."""
    _require_worker(user)
    if outcome not in RISK_CLOSED_STATUSES:
        raise ValidationError({"outcome": _("Close as saved or lost.")})
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Say what happened (it goes on the account's timeline).")})
    risk = Risk.objects.select_for_update(of=("self",)).select_related("account", "reason_code").get(pk=risk.pk)
    if risk.status == outcome:
        return risk
    if not risk.is_open:
        raise ValidationError({"outcome": _("This risk is already closed.")})
    risk.status = outcome
    risk.outcome_note = note
    risk.closed_at = timezone.now()
    risk.closed_by = user
    risk.save(update_fields=["status", "outcome_note", "closed_at", "closed_by", "updated_at"])
    _timeline(
        risk,
        user=user,
        subject=f"Risk {risk.get_status_display().lower()}: {risk.get_type_display()} ({risk.reason_code.label}), "
        f"{risk.currency} {risk.arr_at_risk:,.0f} ARR",
        body=note,
        event=outcome,
    )
    return risk


@transaction.atomic
def risk_task_link(*, user, risk: Risk, task) -> Risk:
    """Link a task of the same account to the risk (its mitigation work)."""
    _require_worker(user)
    if task.account_id != risk.account_id:
        raise ValidationError({"task": _("The task belongs to another account.")})
    risk.tasks.add(task)
    return risk


def risks_open_for_accounts(
    *,
    accounts: list[Account],
    type: str,
    reason_code: ReasonCode,
    severity: str,
    due_date: date | None,
    playbook,
    reason: dict[int, str] | None = None,
) -> dict[int, Risk | None]:
    """A playbook's "open a risk" for many accounts at once (a constant number of queries):
    {account id: the new risk, or None when this playbook already has a live one of this type
    on the account}. Each new risk goes on its account's timeline."""
    from accounts.models import Activity

    reason = reason or {}
    rows = [
        Risk(
            account=a,
            type=type,
            reason_code=reason_code,
            severity=severity,
            arr_at_risk=a.mrr * 12,
            currency=a.currency or "USD",
            owner_id=a.owner_id,
            due_date=due_date,
            mitigation_plan="",
            source=RiskSource.PLAYBOOK,
            playbook=playbook,
        )
        for a in accounts
    ]
    existing = set(
        Risk.objects.filter(
            account__in=accounts, playbook=playbook, type=type, status__in=RISK_OPEN_STATUSES
        ).values_list("account_id", flat=True)
    )
    fresh = [r for r in rows if r.account_id not in existing]
    # The partial unique index settles a race with a concurrent run: its risk wins.
    Risk.objects.bulk_create(fresh, ignore_conflicts=True)
    created = {
        r.account_id: r
        for r in Risk.objects.filter(
            account__in=[r.account_id for r in fresh],
            playbook=playbook,
            type=type,
            status=RiskStatus.OPEN,
            opened_at__gte=min((r.opened_at for r in fresh), default=timezone.now()),
        )
    }
    now = timezone.now()
    Activity.objects.bulk_create(
        [
            Activity(
                account_id=account_id,
                kind=ActivityKind.SYSTEM,
                subject=f"Risk opened by playbook '{playbook.name}': {risk.get_type_display()} ({reason_code.label})",
                body=reason.get(account_id, ""),
                occurred_at=now,
                metadata={"risk_id": risk.pk, "event": "opened", "playbook_id": playbook.pk},
            )
            for account_id, risk in created.items()
        ]
    )
    return {a.pk: created.get(a.pk) for a in accounts}
