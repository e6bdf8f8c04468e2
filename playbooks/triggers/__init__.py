"""Playbook triggers. Each one is a set-based query: `queryset()` returns every row that fires
as of a day (accounts, or rows with an `account` FK such as survey responses), in a constant
number of queries whatever the number of accounts; `match()` turns one fetched row into the
occurrence key, the reason a CSM reads, and the signal's figures.

The occurrence key names the trigger occurrence (a survey response, a renewal date, a touch
gap, a day of a health drop...): the enrolment table is unique on it, which is what makes a
re-run or a concurrent run do nothing new. Event-driven runs (a survey answer, a subscription
change, a health band change) use the same queries limited to one account, so they produce
the same keys as the nightly run.

- `base`: the framework (Param, Match, EvalContext, Trigger) and the event names.
- `registry`: TRIGGERS, `register`, `get_trigger`, `triggers_for_event`.
- one module per family: `health`, `usage`, `surveys`, `revenue`, `anniversaries`,
  `onboarding`, `touch`, `segments` (imported below, in the order the builder lists them).
"""

# The family modules register their triggers on import, in this order: the order of TRIGGERS,
# which is the order the builder lists them in.
# isort: off
from . import health, usage, surveys, revenue, anniversaries, onboarding, touch, segments  # noqa: F401

# isort: on
from .base import (
    EVENT_BAND_CHANGED,
    EVENT_PAYMENT_CHANGED,
    EVENT_RESPONSE_RECORDED,
    EVENT_SUBSCRIPTION_CHANGED,
    SNAPSHOT_MAX_AGE_DAYS,
    EvalContext,
    Match,
    Param,
    Trigger,
    day_end,
    day_start,
)
from .registry import TRIGGERS, get_trigger, register, triggers_for_event

__all__ = [
    "EVENT_BAND_CHANGED",
    "EVENT_RESPONSE_RECORDED",
    "EVENT_SUBSCRIPTION_CHANGED",
    "EVENT_PAYMENT_CHANGED",
    "SNAPSHOT_MAX_AGE_DAYS",
    "TRIGGERS",
    "EvalContext",
    "Match",
    "Param",
    "Trigger",
    "day_end",
    "day_start",
    "get_trigger",
    "register",
    "triggers_for_event",
]
