"""Reads for the home page, by scope: a CSM's own book, a manager's team (the books of the
users whose `manager` they are, and their own), or everyone's (admins, managers, read-only).

Every function runs a fixed number of queries whatever the number of accounts, tasks or CSMs
(tests pin them): aggregates grouped in the database, the pre-aggregated expansion signals when
the nightly refresh built them today, and the survey scores through the cached selectors.

The account panels (book, at risk, renewals, the breakdown's per-owner book, signals) come from
the health scores and the pre-aggregate, refreshed within a minute: they are cached per scope for
a minute, or until an account is saved through the product (`selectors.page_cached`). Tasks stay
live: a task the user just closed leaves the page at once."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from accounts.choices import HealthBand, LifecycleStage
from accounts.models import Account
from core.choices import Role
from core.models import User
from usage import metrics

from . import selectors
from .models import ExpansionSignal
from .periods import Period

__all__ = [
    "SCOPE_LABELS",
    "HomeScope",
    "home_book",
    "home_book_from",
    "home_breakdown",
    "home_scope_resolve",
    "home_scopes",
    "home_signals",
    "home_survey",
    "home_tasks",
]

MINE, TEAM, EVERYONE = "mine", "team", "everyone"
SCOPE_LABELS = {MINE: _("My book"), TEAM: _("My team"), EVERYONE: _("Everyone")}
RENEWAL_DAYS = 90


def at_risk_q(prefix: str = "") -> Q:
    """Paying, and red or in the at-risk stage."""
    return Q(**{f"{prefix}mrr__gt": 0}) & (
        Q(**{f"{prefix}health_band": HealthBand.RED}) | Q(**{f"{prefix}lifecycle_stage": LifecycleStage.AT_RISK})
    )


def renewal_q(today: date, prefix: str = "") -> Q:
    return Q(
        **{
            f"{prefix}mrr__gt": 0,
            f"{prefix}renewal_date__gte": today,
            f"{prefix}renewal_date__lt": today + timedelta(days=RENEWAL_DAYS),
        }
    )


@dataclass(frozen=True)
class HomeScope:
    """Whose book the home page shows: `owner_ids` None means every account."""

    key: str
    owner_ids: tuple[int, ...] | None
    members: list = field(default_factory=list, compare=False)  # the team's users (team scope)

    @property
    def cache_parts(self) -> tuple:
        return (self.key, self.owner_ids)

    @property
    def label(self) -> str:
        return str(SCOPE_LABELS[self.key])

    def accounts(self) -> QuerySet[Account]:
        if self.owner_ids is None:
            return Account.objects.all()
        return Account.objects.filter(owner_id__in=self.owner_ids)


def home_scopes(user) -> list[str]:
    """The scopes the user may switch between, the default first."""
    if user.has_role(Role.ADMIN):
        return [EVERYONE, TEAM, MINE]
    if user.has_role(Role.MANAGER):
        return [TEAM, MINE, EVERYONE]
    if user.has_role(Role.CSM):
        return [MINE]
    return [EVERYONE]  # read-only: the whole book, to read


def home_scope_resolve(*, user, requested: str = "") -> HomeScope:
    """The scope asked for (or the role's default). Raises ValueError with a message a person
    reads when the role may not see that scope."""
    allowed = home_scopes(user)
    key = requested or allowed[0]
    if key not in allowed:
        message = _("scope: “%(key)s” is not available to you; choose %(choices)s.")
        raise ValueError(message % {"key": key[:20], "choices": ", ".join(allowed)})
    if key == MINE:
        return HomeScope(MINE, (user.pk,))
    if key == TEAM:
        members = [user, *User.objects.filter(manager=user, is_active=True).order_by("first_name", "username")]
        return HomeScope(TEAM, tuple(m.pk for m in members), members)
    return HomeScope(EVERYONE, None)


# Section: book and lists


def home_book(scope: HomeScope, *, today: date) -> dict:
    """Accounts, paying, MRR, at risk and renewals due of the scope's book: one aggregate (cached)."""
    return selectors.page_cached(
        ("home-book", *scope.cache_parts, today),
        lambda: scope.accounts().aggregate(
            accounts=Count("id"),
            paying=Count("id", filter=Q(mrr__gt=0)),
            total_mrr=Sum("mrr_base"),
            at_risk=Count("id", filter=at_risk_q()),
            renewals=Count("id", filter=renewal_q(today)),
        ),
    )


def home_at_risk(scope: HomeScope, *, limit: int = 10) -> list[Account]:
    return selectors.page_cached(
        ("home-at-risk", *scope.cache_parts, limit),
        lambda: list(
            scope.accounts().filter(at_risk_q()).select_related("owner").order_by("health_score", "-mrr")[:limit]
        ),
    )


def home_renewals(scope: HomeScope, *, today: date, limit: int = 25) -> list[Account]:
    return selectors.page_cached(
        ("home-renewals", *scope.cache_parts, today, limit),
        lambda: list(
            scope.accounts().filter(renewal_q(today)).select_related("owner").order_by("renewal_date", "-mrr")[:limit]
        ),
    )


def _scope_tasks(scope: HomeScope, today: date):
    from playbooks.models import Task

    tasks = Task.objects.actionable(today)
    if scope.owner_ids is not None:
        tasks = tasks.filter(assignee_id__in=scope.owner_ids)
    return tasks


def home_tasks(scope: HomeScope, *, today: date, limit: int = 10) -> tuple[list, int]:
    """The next actionable tasks of the scope's people (everyone's for that scope), and how many
    there are in all."""
    tasks = _scope_tasks(scope, today)
    # The first page's ids from the tasks table alone, then their rows with account and assignee:
    # joining first made PostgreSQL hash-join every account before sorting (0.5 s at 100k).
    ids = list(tasks.order_by("due_date", "-priority", "id").values_list("id", flat=True)[:limit])
    by_id = {t.pk: t for t in tasks.model.objects.filter(pk__in=ids).select_related("account", "assignee")}
    return [by_id[i] for i in ids if i in by_id], tasks.count()


def home_survey(scope: HomeScope, period: Period) -> dict:
    """NPS / CSAT over the scope's accounts (surveys.metrics' aggregates, cached per data version)."""
    if scope.owner_ids is None:
        return selectors.survey_for(period, selectors.Filters())
    if len(scope.owner_ids) == 1:
        return selectors.survey_for(period, selectors.Filters(owner_id=scope.owner_ids[0]))
    from surveys.metrics import as_datetime, score_aggregates, scores_from_row
    from surveys.models import SurveyResponse

    def compute():
        row = (
            SurveyResponse.objects.submitted_between(as_datetime(period.start), as_datetime(period.end))
            .filter(account__owner_id__in=scope.owner_ids)
            .aggregate(**score_aggregates())
        )
        return scores_from_row(row)

    owners = ",".join(str(i) for i in sorted(scope.owner_ids))
    return selectors.cached(("survey-owners", period.start, period.end, owners), compute, selectors.LIVE_CACHE_SECONDS)


def home_signals(scope: HomeScope, *, today: date, limit: int = 8) -> tuple[list[dict], str]:
    """Accounts near their plan limits: the nightly pre-aggregate when built today, else live
    over the scope's accounts (cached)."""
    return selectors.page_cached(
        ("home-signals", *scope.cache_parts, today, limit), lambda: _signals(scope, today, limit)
    )


def _signals(scope: HomeScope, today: date, limit: int) -> tuple[list[dict], str]:
    if scope.owner_ids is not None and len(scope.owner_ids) == 1:
        return selectors.expansion_signals_for(owner_id=scope.owner_ids[0], today=today, limit=limit)
    refresh = selectors.last_refresh()
    if refresh is not None and refresh.as_of == today:
        rows = ExpansionSignal.objects.filter(as_of=today)
        if scope.owner_ids is not None:
            rows = rows.filter(owner_id__in=scope.owner_ids)
        return [
            {"account_id": r.account_id, "account_name": r.account_name, "owner_id": r.owner_id, "what": r.what,
             "used": r.used, "limit": r.limit, "ratio": r.ratio}
            for r in rows.order_by("-ratio", "account_name", "what")[:limit]
        ], "pre-aggregate"  # fmt: skip
    owners = "*" if scope.owner_ids is None else ",".join(str(i) for i in sorted(scope.owner_ids))
    accounts = None if scope.owner_ids is None else Account.objects.filter(owner_id__in=scope.owner_ids)
    signals = selectors.cached(
        ("signals-owners", today, owners, limit),
        lambda: metrics.expansion_signals(as_of=today, accounts=accounts, limit=limit),
    )
    return signals, "live"


# Section: per-CSM breakdown


def _book_by_owner(scope: HomeScope, today: date) -> dict:
    """{owner id: accounts, paying, MRR, at risk, renewals}: one grouped scan of the scope's
    accounts (cached per scope, `selectors.page_cached`)."""

    def compute() -> dict:
        rows = (
            scope.accounts()
            .order_by()
            .values("owner_id")
            .annotate(
                accounts=Count("id"),
                paying=Count("id", filter=Q(mrr__gt=0)),
                total_mrr=Sum("mrr_base"),
                at_risk=Count("id", filter=at_risk_q()),
                renewals=Count("id", filter=renewal_q(today)),
            )
        )
        return {row["owner_id"]: row for row in rows}

    return selectors.page_cached(("home-book-by-owner", *scope.cache_parts, today), compute)


def home_book_from(rows: list[dict]) -> dict:
    """The scope's totals from its breakdown rows (no second scan of the accounts)."""
    keys = ("accounts", "paying", "at_risk", "renewals")
    book = {k: sum(r[k] for r in rows) for k in keys}
    book["total_mrr"] = sum((r["total_mrr"] for r in rows), 0)
    return book


def home_breakdown(scope: HomeScope, *, today: date) -> list[dict]:
    """One row per owner in the scope (the team's members even with no account; for everyone,
    each owner of an account, and "unassigned"): accounts, paying, MRR, at risk, renewals due,
    actionable and overdue tasks. Three queries whatever the size of the book or the team."""
    book = _book_by_owner(scope, today)
    tasks = {
        row["assignee_id"]: row
        for row in _scope_tasks(scope, today)
        .order_by()
        .values("assignee_id")
        .annotate(open=Count("id"), overdue=Count("id", filter=Q(due_date__lt=today)))
    }
    if scope.members:
        people = list(scope.members)
    else:
        ids = {i for i in book if i is not None}
        people = list(User.objects.filter(pk__in=ids).order_by("first_name", "last_name", "username"))
    rows = []
    empty = {"accounts": 0, "paying": 0, "total_mrr": 0, "at_risk": 0, "renewals": 0}
    for person in people:
        figures = book.get(person.pk, empty)
        task_row = tasks.get(person.pk, {})
        rows.append(
            {
                "user": person,
                **{k: figures[k] or 0 for k in empty},
                "open_tasks": task_row.get("open", 0),
                "overdue_tasks": task_row.get("overdue", 0),
            }
        )
    if scope.owner_ids is None and (None in book or None in tasks):
        figures, task_row = book.get(None, empty), tasks.get(None, {})
        rows.append(
            {
                "user": None,
                **{k: figures[k] or 0 for k in empty},
                "open_tasks": task_row.get("open", 0),
                "overdue_tasks": task_row.get("overdue", 0),
            }
        )
    return rows
