"""The trigger framework: a trigger's parameters (Param), one fetched row turned into an
occurrence (Match), what an evaluation knows (EvalContext), the Trigger base class, and the
event names the event-driven runs use. The package docstring says how triggers work."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from ..choices import TriggerType
from ..reasons import Reason

__all__ = [
    "EVENT_BAND_CHANGED",
    "EVENT_PAYMENT_CHANGED",
    "EVENT_RESPONSE_RECORDED",
    "EVENT_SUBSCRIPTION_CHANGED",
    "EvalContext",
    "Match",
    "Param",
    "SNAPSHOT_MAX_AGE_DAYS",
    "Trigger",
    "day_end",
    "day_start",
    "fmt_money",
]

EVENT_BAND_CHANGED = "health.band_changed"
EVENT_RESPONSE_RECORDED = "survey.response_recorded"
EVENT_SUBSCRIPTION_CHANGED = "subscription.changed"
EVENT_PAYMENT_CHANGED = "payment.changed"

# A snapshot older than this (days before as_of) is too stale to act on.
SNAPSHOT_MAX_AGE_DAYS = 2


def day_end(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=UTC)


def day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def fmt_money(value) -> str:
    return f"{Decimal(value or 0):,.0f}"


# Section: framework


@dataclass(frozen=True)
class Param:
    name: str
    label: str
    kind: str = "int"  # "int" | "choice" | "str"
    default: object = None
    choices: tuple[tuple[str, str], ...] = ()
    min: int | None = None
    max: int | None = None
    required: bool = True
    help: str = ""


@dataclass(frozen=True)
class Match:
    """`reason` may be given as a `playbooks.reasons.Reason` (`say(...)`): it is then split into
    the English `reason` and the `reason_data` that says it in each reader's language."""

    account_id: int
    key: str
    reason: str
    signal: dict
    reason_data: dict = field(default_factory=dict)

    def __post_init__(self):
        if isinstance(self.reason, Reason):
            object.__setattr__(self, "reason_data", self.reason.data)
            object.__setattr__(self, "reason", self.reason.text)


@dataclass
class EvalContext:
    as_of: date
    now: datetime
    playbook: object = None
    account_ids: list[int] | None = None
    event: dict | None = None
    dry_run: bool = False
    extra: dict = field(default_factory=dict)


class Trigger:
    type: str = ""
    params: tuple[Param, ...] = ()
    # Events that re-evaluate this trigger at once for the account concerned.
    events: tuple[str, ...] = ()
    # "" when queryset() yields accounts, else the path of the account FK on its rows.
    account_path: str = ""
    fields: tuple[str, ...] = ()
    description: str = ""
    # True when queryset() reads nothing but its params, ctx.as_of / ctx.now / ctx.account_ids and
    # what prepare() put on ctx.extra and sql_key() names (no settings or rows read while building,
    # no state written): its compiled SQL may be kept and reused with other days, times and
    # accounts (playbooks.candidate_sql).
    reusable_sql: bool = False
    # True when queryset() reads ctx.event (an event-driven run's figures): such a run compiles it
    # afresh.
    reads_event: bool = False

    @property
    def label(self) -> str:
        return TriggerType(self.type).label

    # Params

    def validate(self, params: dict) -> dict[str, str]:
        errors: dict[str, str] = {}
        if not isinstance(params, dict):
            return {"params": _("must be an object")}
        known = {p.name for p in self.params}
        for name in params:
            if name not in known:
                errors[name] = _("unknown parameter")
        for p in self.params:
            value = params.get(p.name, p.default)
            if value in (None, ""):
                if p.required:
                    errors[p.name] = _("is required")
                continue
            if p.kind == "int":
                if isinstance(value, bool) or not isinstance(value, int):
                    try:
                        value = int(str(value))
                    except ValueError:
                        errors[p.name] = _("must be a whole number")
                        continue
                if p.min is not None and value < p.min:
                    errors[p.name] = _("must be at least %(n)s") % {"n": p.min}
                elif p.max is not None and value > p.max:
                    errors[p.name] = _("must be at most %(n)s") % {"n": p.max}
            elif p.kind == "choice":
                if value not in {c for c, _ in p.choices}:
                    errors[p.name] = _("must be one of: %(values)s") % {
                        "values": ", ".join(c for c, _label in p.choices)
                    }
            elif not isinstance(value, str) or len(value) > 128:
                errors[p.name] = _("must be text of at most 128 characters")
        return errors

    def clean(self, params: dict) -> dict:
        """Params with defaults filled in and numbers as ints (call after validate)."""
        out = {}
        for p in self.params:
            value = (params or {}).get(p.name, p.default)
            if value in (None, ""):
                value = p.default
            if p.kind == "int" and value is not None:
                value = int(value)
            out[p.name] = value
        return out

    def summary(self, params: dict) -> str:
        return self.label

    # Evaluation

    def get_account_path(self, ctx: EvalContext) -> str:
        return self.account_path

    def prepare(self, p: dict, ctx: EvalContext) -> None:
        """Writes needed before the query (only 'segment entered' keeps state), or reads the
        query is built from, kept on ctx.extra ('no touch': the cadence)."""

    def sql_key(self, ctx: EvalContext) -> tuple:
        """What else, read by prepare(), the query's SQL is built from (part of the kept query's
        key, playbooks.candidate_sql)."""
        return ()

    def queryset(self, p: dict, ctx: EvalContext) -> QuerySet | None:
        raise NotImplementedError

    def match(self, row: dict, p: dict, ctx: EvalContext) -> Match | None:
        raise NotImplementedError
