"""Writes of opportunities: create, update, move along the pipeline, upsert by external id
(a CRM owning them), and the bulk reassignment of open ones to a new owner."""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..choices import ForecastCategory, OpportunityKind, Outcome, StageKind
from ..models import Opportunity, PipelineStage
from ..permissions import account_can_add_opportunity, opportunity_check_edit

FIELDS = (
    "kind",
    "account",
    "subscription",
    "amount",
    "currency",
    "close_date",
    "stage",
    "category",
    "owner",
    "call_amount",
    "next_step",
    "external_id",
)


# The pipeline a new install starts with (also the data migration's): name, order, probability, kind.
DEFAULT_PIPELINE = [
    ("Up for renewal", 10, 50, "open"),
    ("Engaged", 20, 60, "open"),
    ("Proposal sent", 30, 75, "open"),
    ("Verbal commit", 40, 90, "open"),
    ("Closed won", 90, 100, "won"),
    ("Closed lost", 99, 0, "lost"),
]


def pipeline_default_ensure() -> None:
    """An empty pipeline (a database flushed after its migration) gets the default stages back;
    a pipeline an admin edited is left alone."""
    if not PipelineStage.objects.exists():
        PipelineStage.objects.bulk_create(
            PipelineStage(name=name, order=order, probability=probability, kind=kind)
            for name, order, probability, kind in DEFAULT_PIPELINE
        )


def default_stage() -> PipelineStage:
    pipeline_default_ensure()
    stage = PipelineStage.objects.open().first()
    if stage is None:
        raise ValidationError({"stage": _("The pipeline has no open stage: add one on the pipeline page.")})
    return stage


def _money(value, name: str, *, required: bool) -> Decimal | None:
    if value is None or value == "":
        if required:
            raise ValidationError({name: _("This field is required.")})
        return None
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError({name: _("Enter a number.")}) from exc
    if not amount.is_finite() or amount < 0:
        raise ValidationError({name: _("Enter an amount of 0 or more.")})
    if amount >= Decimal("1e12"):
        raise ValidationError({name: _("This amount is too large.")})
    return amount.quantize(Decimal("0.01"))


def _clean(values: dict, *, partial: bool) -> dict:
    """Check the fields given (all the required ones unless `partial`); a ValidationError names
    each bad field."""
    errors: dict[str, list[str]] = {}
    cleaned = dict(values)
    for name, required in (("amount", True), ("call_amount", False)):
        if name in values or (required and not partial):
            try:
                cleaned[name] = _money(values.get(name), name, required=required)
            except ValidationError as exc:
                errors.update(exc.message_dict)
    if "currency" in values:
        currency = (values.get("currency") or "").strip().upper()
        if len(currency) != 3 or not currency.isalpha():
            errors["currency"] = [_("Enter a three-letter currency code (ISO 4217).")]
        cleaned["currency"] = currency
    if "kind" in values and values["kind"] not in OpportunityKind.values:
        errors["kind"] = [_("Choose one of: %(choices)s.") % {"choices": ", ".join(OpportunityKind.values)}]
    if "category" in values and values["category"] not in ForecastCategory.values:
        errors["category"] = [_("Choose one of: %(choices)s.") % {"choices": ", ".join(ForecastCategory.values)}]
    if not partial:
        for name in ("account", "close_date"):
            if values.get(name) in (None, ""):
                errors[name] = [_("This field is required.")]
    if "close_date" in values and values["close_date"] is not None and not isinstance(values["close_date"], date):
        errors["close_date"] = [_("Enter a date (YYYY-MM-DD).")]
    if "external_id" in values:
        cleaned["external_id"] = (values.get("external_id") or "").strip() or None
    if "next_step" in values:
        cleaned["next_step"] = (values.get("next_step") or "").strip()[:255]
    sub = values.get("subscription")
    account = values.get("account")
    if sub is not None and account is not None and sub.account_id != account.pk:
        errors["subscription"] = [_("This subscription belongs to another account.")]
    if errors:
        raise ValidationError(errors)
    return cleaned


def _apply_stage(opportunity: Opportunity, stage: PipelineStage, *, outcome: str = Outcome.MANUAL) -> None:
    was = opportunity.status
    opportunity.stage = stage
    opportunity.status = stage.kind
    if stage.kind == StageKind.OPEN:
        opportunity.closed_at = None
        opportunity.outcome = Outcome.NONE
    elif was != stage.kind or opportunity.closed_at is None:
        opportunity.closed_at = timezone.now()
        opportunity.outcome = outcome


@transaction.atomic
def opportunity_create(*, user, **values) -> Opportunity:
    """A new opportunity (by hand, the API or a CRM). `account` is required; the stage defaults
    to the pipeline's first open stage, the currency to the account's, the owner to its CSM."""
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise ValidationError({name: _("Unknown field.") for name in sorted(unknown)})
    cleaned = _clean(values, partial=False)
    account = cleaned["account"]
    if not account_can_add_opportunity(user, account):
        raise ValidationError({"account": _("You can add opportunities only to accounts of your own book.")})
    stage = cleaned.pop("stage", None) or default_stage()
    cleaned.setdefault("currency", account.currency)
    if "owner" not in values:
        cleaned["owner"] = account.owner
    opportunity = Opportunity(**{k: v for k, v in cleaned.items() if v is not None or k == "owner"})
    _apply_stage(opportunity, stage)
    if opportunity.external_id and Opportunity.objects.filter(external_id=opportunity.external_id).exists():
        raise ValidationError({"external_id": _("An opportunity with this external id exists.")})
    opportunity.save()
    return opportunity


@transaction.atomic
def opportunity_update(*, opportunity: Opportunity, user, **values) -> Opportunity:
    """Change the fields given; moving to a won / lost stage closes it (by hand)."""
    opportunity_check_edit(user, opportunity)
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise ValidationError({name: _("Unknown field.") for name in sorted(unknown)})
    if "account" in values and values["account"].pk != opportunity.account_id:
        raise ValidationError({"account": _("An opportunity cannot move to another account.")})
    cleaned = _clean({**values, "account": opportunity.account}, partial=True)
    cleaned.pop("account", None)
    stage = cleaned.pop("stage", None)
    ext = cleaned.get("external_id")
    if ext and Opportunity.objects.filter(external_id=ext).exclude(pk=opportunity.pk).exists():
        raise ValidationError({"external_id": _("An opportunity with this external id exists.")})
    for name, value in cleaned.items():
        setattr(opportunity, name, value)
    if stage is not None and stage.pk != opportunity.stage_id:
        _apply_stage(opportunity, stage)
    opportunity.save()
    return opportunity


def opportunity_move(*, opportunity: Opportunity, stage: PipelineStage, user) -> Opportunity:
    """Move an opportunity to another stage of the pipeline (the board's drag or buttons)."""
    return opportunity_update(opportunity=opportunity, user=user, stage=stage)


def opportunity_step(*, opportunity: Opportunity, direction: int, user) -> Opportunity:
    """Move one stage forward (+1) or back (-1) in pipeline order: the board's buttons."""
    stages = list(PipelineStage.objects.all())
    index = next((i for i, s in enumerate(stages) if s.pk == opportunity.stage_id), None)
    target = None if index is None else index + direction
    if target is None or not 0 <= target < len(stages):
        raise ValidationError(_("There is no stage that way."))
    return opportunity_move(opportunity=opportunity, stage=stages[target], user=user)


@transaction.atomic
def opportunity_upsert(*, external_id: str, user, **values) -> tuple[Opportunity, bool]:
    """Create or update the opportunity a CRM knows by `external_id`: (opportunity, created)."""
    external_id = (external_id or "").strip()
    if not external_id:
        raise ValidationError({"external_id": _("This field is required.")})
    values.pop("external_id", None)
    existing = Opportunity.objects.select_for_update().select_related("account").filter(external_id=external_id).first()
    if existing is None:
        return opportunity_create(user=user, external_id=external_id, **values), True
    return opportunity_update(opportunity=existing, user=user, **values), False


@transaction.atomic
def opportunities_create_many(*, items: list[dict]) -> list[Opportunity]:
    """Many new opportunities at once (a CRM's first load), by the system: each checked as
    `opportunity_create` checks one, all written in one bulk insert. A bad item raises its
    ValidationError and nothing is written (the caller may then create them one by one)."""
    from core.db import lookup_by

    stage = None
    out = []
    external_ids = [i.get("external_id") for i in items if i.get("external_id")]
    taken = lookup_by(Opportunity.objects.only("pk", "external_id"), "external_id", external_ids)
    for values in items:
        unknown = set(values) - set(FIELDS)
        if unknown:
            raise ValidationError({name: _("Unknown field.") for name in sorted(unknown)})
        cleaned = _clean(values, partial=False)
        account = cleaned["account"]
        chosen = cleaned.pop("stage", None)
        if chosen is None:
            stage = stage or default_stage()
            chosen = stage
        cleaned.setdefault("currency", account.currency)
        if "owner" not in values:
            cleaned["owner"] = account.owner
        opportunity = Opportunity(**{k: v for k, v in cleaned.items() if v is not None or k == "owner"})
        _apply_stage(opportunity, chosen)
        if opportunity.external_id and opportunity.external_id in taken:
            raise ValidationError({"external_id": _("An opportunity with this external id exists.")})
        out.append(opportunity)
    return Opportunity.objects.bulk_create(out, batch_size=1000)
