"""Who may read and who may write an account: the one policy (issue 17, docs/decisions.md
"One write policy for accounts").

- Admins write every account; read-only users write none.
- A CSM writes the accounts of their *book*: those they own (`Account.owner`) and those whose
  account team they are on (`AccountTeamMember`).
- A manager writes their own book and the books of their reports, transitively (a report's
  reports too): `User.manager` is walked over the whole (small) team in one query.
- Reading: every role reads every account, unless `settings.CSM_READ_SCOPE == "team"`, which
  narrows a CSM's (not a manager's, an admin's or a read-only viewer's) reads to their book.
- Machine API keys (no user) keep their scopes: `write` writes every account, `read` none.
  A personal token is its user (core.api.authentication).

The queryset forms (`accounts_writable`, `accounts_readable`) add one condition to the query (no
per-row check); `account_can_write` answers for one account in at most one query. Every page,
htmx action, API view, export and task action that writes an account (or something on it) asks
here: `account_write_check` raises PermissionDenied with the reason, `AccountWriteMixin` is
that for views, `AccountWritePermission` for DRF views.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework.permissions import SAFE_METHODS, BasePermission

from core.choices import APIKeyScope, Role
from core.models import User

from .team_models import AccountTeamMember

__all__ = [
    "AccountWriteMixin",
    "AccountWritePermission",
    "account_can_read",
    "account_can_write",
    "account_read_check",
    "account_reads_restricted",
    "account_work_check",
    "account_write_check",
    "account_writes_all",
    "accounts_in_book",
    "accounts_readable",
    "accounts_writable",
    "book_user_ids",
    "records_readable",
    "denied_message",
]


def _machine_key(user) -> Any:
    """The API key of a machine caller (core.api.authentication.APIKeyUser), else None."""
    return getattr(user, "api_key", None)


def book_user_ids(user) -> list[int]:
    """The users whose book `user` writes: themselves, and for a manager every report below
    them (transitively). One query over the team's (id, manager) pairs, cached on the user."""
    cached = getattr(user, "_book_user_ids", None)
    if cached is not None:
        return cached
    ids = [user.pk]
    if user.has_role(Role.MANAGER):
        reports: dict[int, list[int]] = {}
        for pk, manager_id in User.objects.filter(manager__isnull=False).values_list("pk", "manager_id"):
            reports.setdefault(manager_id, []).append(pk)
        seen = {user.pk}
        frontier = [user.pk]
        while frontier:
            nxt = [r for m in frontier for r in reports.get(m, ()) if r not in seen]
            seen.update(nxt)
            frontier = nxt
        ids = sorted(seen)
    user._book_user_ids = ids
    return ids


def _book_q(ids: list[int]) -> Q:
    team = AccountTeamMember.objects.filter(account=OuterRef("pk"))
    if len(ids) == 1:
        return Q(owner_id=ids[0]) | Q(Exists(team.filter(user_id=ids[0])))
    return Q(owner_id__in=ids) | Q(Exists(team.filter(user_id__in=ids)))


def _writes_all(user) -> bool:
    key = _machine_key(user)
    if key is not None:
        return key.scope == APIKeyScope.WRITE
    return bool(user.is_authenticated and user.is_active and user.has_role(Role.ADMIN))


def _writes_some(user) -> bool:
    if _machine_key(user) is not None:
        return False
    return bool(user.is_authenticated and user.is_active and user.has_role(Role.CSM))


def _reads_book_only(user) -> bool:
    """Under CSM_READ_SCOPE = "team", a CSM (exactly) reads only their book."""
    if settings.CSM_READ_SCOPE != "team" or _machine_key(user) is not None:
        return False
    return user.has_role(Role.CSM) and not user.has_role(Role.MANAGER)


def account_reads_restricted(user) -> bool:
    """True when `user` reads only their book (CSM_READ_SCOPE = "team" and a CSM)."""
    return _reads_book_only(user)


def account_writes_all(user) -> bool:
    """True when `user` writes every account (admins, write-scope machine keys)."""
    return _writes_all(user)


# Section: querysets


def accounts_writable(user, queryset: QuerySet) -> QuerySet:
    """The accounts of `queryset` that `user` may write (one added condition, no extra query
    except a manager's report list)."""
    if _writes_all(user):
        return queryset
    if not _writes_some(user):
        return queryset.none()
    return queryset.filter(_book_q(book_user_ids(user)))


def accounts_readable(user, queryset: QuerySet) -> QuerySet:
    """The accounts of `queryset` that `user` may read."""
    if not getattr(user, "is_authenticated", False):
        return queryset.none()
    if _reads_book_only(user):
        return queryset.filter(_book_q(book_user_ids(user)))
    return queryset


def accounts_in_book(user, queryset: QuerySet) -> QuerySet:
    """The accounts `user` owns or is on the team of (their own book, without reports')."""
    return queryset.filter(_book_q([user.pk]))


def records_readable(user, queryset: QuerySet, *, field: str = "account") -> QuerySet:
    """Records hanging on an account (tasks, answers, plans, scores...) narrowed to the accounts
    `user` may read; unchanged (no condition added) unless the read scope narrows the user."""
    if not _reads_book_only(user):
        return queryset
    from .models import Account

    return queryset.filter(**{f"{field}__in": accounts_readable(user, Account.objects.all()).values("pk")})


# Section: one account


def account_can_write(user, account) -> bool:
    """For one account; the answer is cached on the account object for this user, so the
    account page's panels ask it without another query each."""
    if _writes_all(user):
        return True
    if not _writes_some(user):
        return False
    cache = account.__dict__.setdefault("_writable_by", {})
    if user.pk not in cache:
        ids = book_user_ids(user)
        cache[user.pk] = account.owner_id in ids or (
            AccountTeamMember.objects.filter(account_id=account.pk, user_id__in=ids).exists()
        )
    return cache[user.pk]


def account_can_read(user, account) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if _reads_book_only(user):
        return account_can_write(user, account)
    return True


def denied_message(user, account) -> str:
    if _machine_key(user) is not None or not user.has_role(Role.CSM):
        return _("Your role cannot change accounts.")
    return _("You cannot change %(account)s: it is not in your book (you neither own it nor are on its team).") % {
        "account": account
    }


def account_write_check(user, account) -> None:
    """Raise PermissionDenied (403 page, 403 JSON under /api/) unless `user` may write `account`."""
    if not account_can_write(user, account):
        raise PermissionDenied(denied_message(user, account))


def account_work_check(user, account, *, assignee_id: int | None = None) -> None:
    """For work on an account (a task): the work's assignee may do it whatever the book, since
    it was given to them; anyone else needs to write the account."""
    if assignee_id is not None and _writes_some(user) and user.pk == assignee_id:
        return
    account_write_check(user, account)


def account_read_check(user, account) -> None:
    if not account_can_read(user, account):
        raise PermissionDenied(_("%(account)s is not in your book.") % {"account": account})


# Section: views and the API


class AccountWriteMixin:
    """For views acting on one account: `self.account_write_check(account)` before the write."""

    request: Any

    def account_write_check(self, account) -> None:
        account_write_check(self.request.user, account)

    def account_can_write(self, account) -> bool:
        return account_can_write(self.request.user, account)


def _account_of(obj):
    """The account an object hangs on: itself, or its `account`."""
    return obj if hasattr(obj, "team_members") else getattr(obj, "account", None)


class AccountWritePermission(BasePermission):
    """DRF object permission: reading needs `account_can_read`, writing `account_can_write` on
    the object's account (the object itself, or its `account`). Objects on no account pass."""

    message: Any = gettext_lazy("This account is not in your book.")

    def has_permission(self, request, view) -> bool:
        return True

    def has_object_permission(self, request, view, obj) -> bool:
        account = _account_of(obj)
        if account is None:
            return True
        if request.method in SAFE_METHODS:
            return account_can_read(request.user, account)
        if not account_can_write(request.user, account):
            self.message = denied_message(request.user, account)
            return False
        return True
