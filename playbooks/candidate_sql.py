"""A playbook's candidate query compiled once per process and reused (issue 23).

Building and compiling the candidate query (trigger queryset, conditions, cooldown / cap /
open-task flags) costs a few milliseconds of Python per playbook per run, more than running it
for the handful of accounts a health refresh hands over. For a trigger whose query depends only
on its parameters and the evaluation's day, time and accounts (`Trigger.reusable_sql`; what
its prepare() read is named by `Trigger.sql_key()`; not in an event run if it reads the event,
`Trigger.reads_event`), the compiled SQL is kept per process, keyed by everything else it is
built from (the playbook's id, version, trigger, parameters, conditions, cooldown, cap, task
flag, sql_key(), and the number of accounts rounded up to a power of two: the id list is padded
with negative ids, which select nothing). A saved playbook has a new key: nothing to invalidate.

Which parameter is what is learnt, not declared: the query is compiled for the real evaluation
(A) and for two made-up ones (B, C) with other days, times and account ids. The SQL texts must be
equal; a parameter equal in A and B is a constant; one that moves is the evaluation's time, the
start of its day or its day plus a fixed offset, or the account id at a fixed place in the list;
anything else (say, a month and day worked out from the date) and the query is compiled afresh
every time, as before. The parameters predicted for C from A and B must equal C's own, or the
same: compiled afresh every time. The rows are converted as Django's values() would (the
compiler of A is kept for that).

On SQLite the backend turns times into text while compiling: nothing is learnt, every run
compiles afresh (same results)."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from django.core.exceptions import EmptyResultSet
from django.db import connections, router

from accounts.models import Account

from .triggers import day_start

__all__ = ["candidate_rows", "candidate_sql_clear"]

ENABLED = True  # off: every run compiles afresh (the comparison test runs both ways)
MAX_ENTRIES = 1024
MAX_IDS = 1024  # above this many accounts the query is compiled afresh

# The made-up evaluations: days, times and ids nobody has (the shifts move the year, month, day of
# the month and weekday, and move the time differently from the day).
_SHIFTS = (
    (timedelta(days=400), timedelta(days=400, hours=3, minutes=17, seconds=11)),
    (timedelta(days=-813), timedelta(days=-813, hours=-7, minutes=-41, seconds=-29)),
)
_ID_BASES = (-1_000_000, -2_000_000)

_PLANS: dict[tuple, _Plan | None] = {}


@dataclass
class _Plan:
    sql: str
    slots: list[tuple[str, object]]
    compiler: object
    names: list[str]


def candidate_sql_clear() -> None:
    """Forget every kept query (tests; a process never needs to: keys change with the playbook)."""
    _PLANS.clear()


def _bucket(n: int) -> int:
    size = 1
    while size < n:
        size *= 2
    return size


def _key(playbook, trigger, ctx, alias: str) -> tuple | None:
    if not ENABLED or not trigger.reusable_sql or ctx.dry_run or (ctx.event is not None and trigger.reads_event):
        return None
    conditions = playbook.conditions or {}
    if conditions.get("custom_fields") or conditions.get("in_view") is not None:
        return None  # read stored definitions while building: compiled afresh
    ids = ctx.account_ids
    if ids is not None:
        ids = set(ids)
        if not 0 < len(ids) <= MAX_IDS or not all(type(i) is int and i > 0 for i in ids):
            return None  # ids as text or not of accounts: compiled afresh (padding needs positive ids)
    return (
        alias,
        playbook.pk,
        playbook.version,
        playbook.trigger_type,
        json.dumps(playbook.trigger_params, sort_keys=True, default=str),
        json.dumps(conditions, sort_keys=True, default=str),
        playbook.targets_churned,
        playbook.cooldown_days,
        playbook.max_enrolments,
        playbook.has_task_action,
        trigger.sql_key(ctx),
        None if ids is None else _bucket(len(ids)),
    )


def _compile(qs):
    compiler = qs.query.get_compiler(using=qs.db)
    sql, params = compiler.as_sql()
    return compiler, sql, list(params)


def _names(qs) -> list[str]:
    query = qs.query
    if query.selected:
        return list(query.selected)
    return [*query.extra_select, *query.values_select, *query.annotation_select]


def _slot(values: list, ctxs: list) -> tuple[str, object] | None:
    """What one parameter is, from its values in the real and first made-up evaluation."""
    a, b = values
    ca, cb = ctxs
    if type(a) is not type(b):
        return None
    if a == b:
        return ("const", a)
    if isinstance(a, datetime):
        for name, base in (("now", lambda c: c.now), ("day_start", lambda c: day_start(c.as_of))):
            if a - base(ca) == b - base(cb):
                return (name, a - base(ca))
        return None
    if isinstance(a, date):
        if a - ca.as_of == b - cb.as_of:
            return ("as_of", a - ca.as_of)
        return None
    if isinstance(a, int) and ca.account_ids is not None:
        for j, (ia, ib) in enumerate(zip(ca.account_ids, cb.account_ids, strict=True)):
            if a == ia and b == ib:
                return ("id", j)
    return None


def _params(slots, ctx) -> list:
    out = []
    for kind, value in slots:
        if kind == "const":
            out.append(value)
        elif kind == "now":
            out.append(ctx.now + value)
        elif kind == "day_start":
            out.append(day_start(ctx.as_of) + value)
        elif kind == "as_of":
            out.append(ctx.as_of + value)
        else:
            out.append(ctx.account_ids[value])
    return out


def _padded(ctx, size: int | None):
    """ctx with its account ids without repeats (Django drops them from an IN list anyway) and
    padded to `size` with negative ids, which no account has: the query selects the same rows."""
    if ctx.account_ids is None:
        return ctx
    ids = list(dict.fromkeys(ctx.account_ids))
    return replace(ctx, account_ids=ids + [-1 - j for j in range(size - len(ids))])


def _made_up(ctx, n: int):
    day_shift, time_shift = _SHIFTS[n]
    ids = None if ctx.account_ids is None else [_ID_BASES[n] - j for j in range(len(ctx.account_ids))]
    return replace(ctx, as_of=ctx.as_of + day_shift, now=ctx.now + time_shift, account_ids=ids, extra=dict(ctx.extra))


def _learn(build, ctx, alias: str) -> _Plan | None:
    """Compile for ctx (already padded) and two made-up evaluations; the plan, or None."""
    try:
        qs_a = build(ctx)
        if qs_a is None or qs_a.db != alias:
            return None
        ctx_b, ctx_c = _made_up(ctx, 0), _made_up(ctx, 1)
        compiler, sql, params_a = _compile(qs_a)
        _c, sql_b, params_b = _compile(build(ctx_b))
        _c, sql_c, params_c = _compile(build(ctx_c))
    except EmptyResultSet:
        return None
    if not (sql == sql_b == sql_c and len(params_a) == len(params_b) == len(params_c)):
        return None
    slots = []
    for a, b in zip(params_a, params_b, strict=True):
        slot = _slot([a, b], [ctx, ctx_b])
        if slot is None:
            return None
        slots.append(slot)
    if _params(slots, ctx_c) != params_c or _params(slots, ctx) != params_a:
        return None
    return _Plan(sql=sql, slots=slots, compiler=compiler, names=_names(qs_a))


def _run(plan: _Plan, ctx, alias: str) -> list[dict]:
    compiler = plan.compiler
    with connections[alias].cursor() as cursor:
        cursor.execute(plan.sql, _params(plan.slots, ctx))
        rows = cursor.fetchall()
    if compiler.has_extra_select:
        rows = [r[: compiler.col_count] for r in rows]
    names = plan.names
    return [dict(zip(names, row, strict=False)) for row in compiler.results_iter(results=[rows])]


def candidate_rows(playbook, trigger, ctx, build) -> list[dict] | None:
    """The rows of `build(ctx)` (a values() queryset, or None when the trigger's data is not
    installed), from the kept compiled query when there is one."""
    alias = router.db_for_read(Account)
    key = _key(playbook, trigger, ctx, alias)
    plan = None
    if key is not None:
        run_ctx = _padded(ctx, key[-1])
        if key not in _PLANS:
            if len(_PLANS) >= MAX_ENTRIES:
                _PLANS.clear()
            _PLANS[key] = _learn(build, run_ctx, alias)
        plan = _PLANS[key]
    if plan is None:
        qs = build(ctx)
        return None if qs is None else list(qs)
    return _run(plan, run_ctx, alias)
