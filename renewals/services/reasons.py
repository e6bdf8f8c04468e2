"""Writes for churn / downgrade reasons and the admin's list of reason codes.

A reason reaches us three ways:
- the product's own "record cancellation / downgrade" on the account page asks for it with the
  change (`subscription_loss_record`): the reason is stored in the same transaction;
- a cancellation or downgrade that arrives by API, CSV or Stripe has none: the receiver of
  `accounts.signals.subscription_changed` queues `reason_prompt_open`, which gives the account's
  owner one task per subscription change (`ReasonPrompt.change_key`, so a retried delivery or a
  re-sent import asks once) unless a reason for that change already exists;
- answering that task (`reason_prompt_answer`) stores the reason and completes the task.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Account, Subscription
from accounts.records import subscriptions_upsert
from core.choices import Role

from ..choices import LossKind
from ..models import ChurnReason, ReasonCode, ReasonPrompt
from ..models.risks import LABEL_LANGUAGES

__all__ = [
    "PROMPT_DUE_DAYS",
    "change_key",
    "churn_reason_record",
    "reason_code_save",
    "reason_prompt_answer",
    "reason_prompt_open",
    "subscription_loss_record",
]

PROMPT_DUE_DAYS = 7
# subscription_changed kinds that lose revenue, and what they are called in a reason.
LOSS_CHANGES = {"cancelled": LossKind.CHURN, "downgrade": LossKind.DOWNGRADE}


def _require(user, role: str, message: str) -> None:
    if not (user is not None and user.is_authenticated and user.is_active and user.has_role(role)):
        raise PermissionDenied(message)


def change_key(subscription: Subscription, kind: str) -> str:
    """One subscription change, as a key: the same cancellation (same end date) or the same
    downgrade (same MRR) delivered twice is one change."""
    if kind == LossKind.CHURN:
        return f"sub:{subscription.pk}:churn:{subscription.end_date or '-'}"
    return f"sub:{subscription.pk}:downgrade:{subscription.mrr}"


# Section: reason codes (admins)


@transaction.atomic
def reason_code_save(
    *,
    user,
    code: str,
    label: str,
    labels: dict | None = None,
    archived: bool = False,
    order: int = 100,
    reason_code: ReasonCode | None = None,
) -> ReasonCode:
    """Create or edit one reason code (admins). `labels` holds the Arabic, Persian and Chinese
    labels; a missing one falls back to English."""
    _require(user, Role.ADMIN, _("Only admins edit the reason list."))
    errors: dict[str, str] = {}
    code = (code or "").strip().lower()
    label = (label or "").strip()
    if not code:
        errors["code"] = _("Give the reason a short code.")
    elif ReasonCode.objects.filter(code=code).exclude(pk=reason_code.pk if reason_code else 0).exists():
        errors["code"] = _("Another reason has this code.")
    if not label:
        errors["label"] = _("Give the reason a label.")
    clean_labels = {}
    for language, text in (labels or {}).items():
        if language not in LABEL_LANGUAGES:
            errors["labels"] = _("Labels are for ar, fa and zh-hans.")
        elif (text or "").strip():
            clean_labels[language] = text.strip()[:120]
    if errors:
        raise ValidationError(errors)
    reason_code = reason_code or ReasonCode()
    reason_code.code, reason_code.label, reason_code.labels = code, label[:120], clean_labels
    reason_code.archived, reason_code.order = bool(archived), int(order)
    reason_code.save()
    return reason_code


# Section: reasons


def _amount(value) -> Decimal | None:
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError, TypeError):
        return None
    return amount if amount.is_finite() and 0 <= amount < Decimal("1e12") else None


@transaction.atomic
def churn_reason_record(
    *,
    user,
    account: Account,
    kind: str,
    reason_code: ReasonCode | None,
    occurred_on: date,
    note: str = "",
    arr_lost=Decimal("0"),
    currency: str = "",
    subscription: Subscription | None = None,
    change_key: str = "",
) -> ChurnReason:
    """Store why an account left or pays less."""
    _require(user, Role.CSM, _("Read-only users cannot record reasons."))
    errors: dict[str, str] = {}
    if kind not in LossKind.values:
        errors["kind"] = _("Choose churn or downgrade.")
    if not isinstance(reason_code, ReasonCode) or reason_code.archived:
        errors["reason_code"] = _("Choose a reason from the list.")
    amount = _amount(arr_lost)
    if amount is None:
        errors["arr_lost"] = _("Enter an amount that is not negative.")
    if occurred_on is None:
        errors["occurred_on"] = _("Say when it happened.")
    if errors:
        raise ValidationError(errors)
    assert isinstance(reason_code, ReasonCode) and amount is not None  # checked above
    return ChurnReason.objects.create(
        account=account,
        subscription=subscription,
        kind=kind,
        reason_code=reason_code,
        note=(note or "").strip(),
        arr_lost=amount,
        currency=(currency or account.currency or "USD").upper()[:3],
        occurred_on=occurred_on,
        segment=account.segment or "",
        tier=account.tier or "",
        tenure_days=max(0, (occurred_on - account.created_at.date()).days),
        change_key=change_key,
        recorded_by=user,
    )


@transaction.atomic
def subscription_loss_record(
    *,
    user,
    subscription: Subscription,
    kind: str,
    reason_code: ReasonCode | None,
    note: str = "",
    effective_date: date | None = None,
    new_mrr=None,
    today: date | None = None,
) -> ChurnReason:
    """The product's "record cancellation / downgrade": a cancellation ends the subscription on
    `effective_date` (exclusive, default today); a downgrade lowers its MRR to `new_mrr`. The
    reason is required and stored with the change, so no task asks for it again."""
    _require(user, Role.CSM, _("Read-only users cannot change subscriptions."))
    today = today or timezone.now().date()
    subscription = Subscription.objects.select_for_update().select_related("account").get(pk=subscription.pk)
    errors: dict[str, str] = {}
    if not isinstance(reason_code, ReasonCode) or reason_code.archived:
        errors["reason_code"] = _("Choose a reason from the list.")
    if subscription.is_trial:
        errors["subscription"] = _("A trial is not a paid subscription.")
    item: dict = {}
    if kind == LossKind.CHURN:
        effective_date = effective_date or today
        if effective_date <= subscription.start_date:
            errors["effective_date"] = _("The end date must be after the subscription's start.")
        elif subscription.end_date is not None and effective_date >= subscription.end_date:
            errors["effective_date"] = _("The subscription already ends on or before that day.")
        arr_lost = subscription.mrr * 12
        item = {"end_date": effective_date, "canceled_at": timezone.now()}
    elif kind == LossKind.DOWNGRADE:
        amount = _amount(new_mrr)
        if amount is None:
            errors["new_mrr"] = _("Enter the new MRR.")
        elif amount >= subscription.mrr:
            errors["new_mrr"] = _("A downgrade lowers the MRR.")
        arr_lost = (subscription.mrr - (amount or 0)) * 12
        effective_date = today
        item = {"mrr": amount}
    else:
        errors["kind"] = _("Choose churn or downgrade.")
    if errors:
        raise ValidationError(errors)
    assert effective_date is not None  # set for both kinds above
    base = {"account": subscription.account, "plan": subscription.plan, "start_date": subscription.start_date}
    if subscription.external_id:
        base = {"external_id": subscription.external_id, **base}
    # The subscription_changed receiver runs on commit: by then the reason below is stored under
    # the change's key, so no task asks for it again.
    subscriptions_upsert(items=[{**base, **item}])
    subscription.refresh_from_db()
    return churn_reason_record(
        user=user,
        account=subscription.account,
        kind=kind,
        reason_code=reason_code,
        note=note,
        arr_lost=arr_lost,
        currency=subscription.currency,
        occurred_on=effective_date,
        subscription=subscription,
        change_key=change_key(subscription, kind),
    )


# Section: prompts (a change that came without a reason)


def reason_prompt_open(*, subscription_id: int, change: str, previous: dict | None = None) -> ReasonPrompt | None:
    """Ask the account's owner for the reason of a cancellation or downgrade that arrived
    without one: one prompt and one task per change, none when the reason is already known."""
    from playbooks.services import task_create_for_owner

    kind = LOSS_CHANGES.get(change)
    subscription = Subscription.objects.select_related("account", "account__owner").filter(pk=subscription_id).first()
    if kind is None or subscription is None or subscription.is_trial:
        return None
    key = change_key(subscription, kind)
    if ChurnReason.objects.filter(change_key=key).exists() or ReasonPrompt.objects.filter(change_key=key).exists():
        return None
    if kind == LossKind.CHURN:
        arr_lost = subscription.mrr * 12
        occurred_on = subscription.end_date or timezone.now().date()
    else:
        old = _amount((previous or {}).get("mrr"))
        arr_lost = max(Decimal("0"), ((old or subscription.mrr) - subscription.mrr) * 12)
        occurred_on = timezone.now().date()
    account = subscription.account
    try:
        with transaction.atomic():
            prompt = ReasonPrompt.objects.create(
                account=account,
                subscription=subscription,
                kind=kind,
                change_key=key,
                arr_lost=arr_lost,
                currency=subscription.currency,
                occurred_on=occurred_on,
            )
            what = _("cancellation") if kind == LossKind.CHURN else _("downgrade")
            prompt.task = task_create_for_owner(
                account=account,
                title=_("Give the reason for the %(what)s of %(plan)s") % {"what": what, "plan": subscription.plan},
                body=_('Open the account page and answer in the panel "Why revenue was lost".'),
                reason=_("%(plan)s: %(what)s without a reason (%(currency)s %(arr)s ARR)")
                % {
                    "plan": subscription.plan,
                    "what": what,
                    "currency": subscription.currency,
                    "arr": f"{arr_lost:,.0f}",
                },
                due_date=timezone.now().date() + timedelta(days=PROMPT_DUE_DAYS),
                signal={"source": "renewals.reason_prompt", "prompt_id": prompt.pk, "subscription_id": subscription.pk},
                handles_churn=True,  # asked because the account left: its churn must not cancel it
            )
            prompt.save(update_fields=["task"])
    except IntegrityError:  # a concurrent delivery of the same change got here first
        return None
    return prompt


@transaction.atomic
def reason_prompt_answer(*, user, prompt: ReasonPrompt, reason_code: ReasonCode | None, note: str = "") -> ChurnReason:
    """Answer a prompt: store the reason, complete the owner's task (its note goes on the
    timeline). Answering twice keeps the first answer."""
    from playbooks.choices import OPEN_STATUSES
    from playbooks.services import task_complete

    prompt = (
        ReasonPrompt.objects.select_for_update(of=("self",)).select_related("account", "subscription").get(pk=prompt.pk)
    )
    if prompt.reason_id:
        return ChurnReason.objects.get(pk=prompt.reason_id)
    reason = churn_reason_record(
        user=user,
        account=prompt.account,
        kind=prompt.kind,
        reason_code=reason_code,
        note=note,
        arr_lost=prompt.arr_lost,
        currency=prompt.currency,
        occurred_on=prompt.occurred_on,
        subscription=prompt.subscription,
        change_key=prompt.change_key,
    )
    prompt.reason = reason
    prompt.save(update_fields=["reason"])
    task = prompt.task
    if task is not None and task.status in OPEN_STATUSES:
        outcome = f"Reason: {reason.reason_code.label}" + (f". {reason.note}" if reason.note else "")
        task_complete(task=task, user=user, outcome_note=outcome)
    return reason
