"""Date triggers: a contract anniversary and a contact's birthday, with a few days' tolerance so
a missed nightly run still catches up."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import DateField, Min, OuterRef, Q, Subquery
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop, ngettext_lazy

from accounts.models import Account, Contact, Subscription

from ..choices import TriggerType
from ..reasons import day as on
from ..reasons import number, say, say_plural
from .base import Match, Param, Trigger
from .registry import register


def _window_month_days(target: date, tolerance: int) -> list[date]:
    """`target` and the `tolerance` days before it: a missed nightly run still catches up."""
    return [target - timedelta(days=i) for i in range(tolerance + 1)]


def _month_day_q(field_name: str, days: list[date]) -> Q:
    q = Q()
    for d in days:
        q |= Q(**{f"{field_name}__month": d.month, f"{field_name}__day": d.day})
    return q


@register
class ContractAnniversary(Trigger):
    type = TriggerType.CONTRACT_ANNIVERSARY
    params = (Param("days_before", gettext_lazy("Days before the anniversary"), "int", 14, min=0, max=90),)
    fields = ("pk", "contract_start")
    tolerance = 3

    def summary(self, p):
        return _("Contract anniversary in %(n)s days") % {"n": p["days_before"]}

    def queryset(self, p, ctx):
        first_paid = (
            Subscription.objects.paid()
            .filter(account_id=OuterRef("pk"))
            .order_by()
            .values("account_id")
            .annotate(first=Min("start_date"))
            .values("first")[:1]
        )
        target = ctx.as_of + timedelta(days=p["days_before"])
        days = _window_month_days(target, self.tolerance)
        return (
            Account.objects.annotate(contract_start=Subquery(first_paid, output_field=DateField()))
            .filter(contract_start__isnull=False, contract_start__lte=target - timedelta(days=330))
            .filter(_month_day_q("contract_start", days))
        )

    def match(self, row, p, ctx):
        start = row["contract_start"]
        target = ctx.as_of + timedelta(days=p["days_before"])
        for d in _window_month_days(target, self.tolerance):
            if (d.month, d.day) == (start.month, start.day):
                anniversary = d
                break
        else:  # pragma: no cover - the query only returns rows in the window
            return None
        years = anniversary.year - start.year
        if years < 1:
            return None
        return Match(
            account_id=row["pk"],
            key=f"anniversary:{anniversary.year}",
            reason=say_plural(
                ngettext_lazy(
                    "%(years)s year as a customer on %(day)s (since %(start)s)",
                    "%(years)s years as a customer on %(day)s (since %(start)s)",
                    "years",
                ),
                years=number(years),
                day=on(anniversary, "%d %b %Y"),
                start=on(start, "%d %b %Y"),
            ),
            signal={"contract_start": start.isoformat(), "anniversary": anniversary.isoformat(), "years": years},
        )


@register
class ContactBirthday(Trigger):
    type = TriggerType.CONTACT_BIRTHDAY
    params = (Param("days_before", gettext_lazy("Days before the birthday"), "int", 3, min=0, max=30),)
    account_path = "account"
    fields = ("pk", "account_id", "name", "email", "birthday")
    tolerance = 2

    def summary(self, p):
        return _("A contact's birthday in %(n)s days") % {"n": p["days_before"]}

    def queryset(self, p, ctx):
        target = ctx.as_of + timedelta(days=p["days_before"])
        return (
            Contact.objects.filter(account__isnull=False, birthday__isnull=False)
            .filter(_month_day_q("birthday", _window_month_days(target, self.tolerance)))
            .order_by("account_id", "pk")
        )

    def match(self, row, p, ctx):
        target = ctx.as_of + timedelta(days=p["days_before"])
        b = row["birthday"]
        day = next(d for d in _window_month_days(target, self.tolerance) if (d.month, d.day) == (b.month, b.day))
        return Match(
            account_id=row["account_id"],
            key=f"birthday:{row['pk']}:{day.year}",
            reason=say(
                gettext_noop("%(name)s's birthday is on %(day)s"),
                name=row["name"] or row["email"],
                day=on(day, "%d %B"),
            ),
            signal={"contact_id": row["pk"], "birthday": day.isoformat()},
        )
