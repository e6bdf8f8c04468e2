"""Reporting periods: the presets the dashboards offer and "the period before" for comparisons.
A period is [start, end) in UTC days (DESIGN.md)."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.translation import gettext_lazy

__all__ = ["PRESETS", "Period", "add_months", "period_for", "period_presets", "previous_period"]


@dataclass(frozen=True)
class Period:
    key: str
    label: str
    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)


def add_months(day: date, months: int) -> date:
    """The first of the month `months` away from `day`'s month (day must be a first)."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


PRESETS = {
    "last_month": gettext_lazy("Last month"),
    "mtd": gettext_lazy("Month to date"),
    "last_quarter": gettext_lazy("Last quarter"),
    "qtd": gettext_lazy("Quarter to date"),
    "last_12_months": gettext_lazy("Last 12 months"),
    "ytd": gettext_lazy("Year to date"),
}


def period_presets(today: date) -> dict[str, Period]:
    """The presets on `today`. A "to date" period ends today (MRR measured today, events up to
    yesterday); on the first day of a month / quarter / year it is left out (it would be empty)."""
    month = today.replace(day=1)
    quarter = _quarter_start(today)
    year = date(today.year, 1, 1)
    periods = [
        Period("last_month", PRESETS["last_month"], add_months(month, -1), month),
        Period("mtd", PRESETS["mtd"], month, today),
        Period("last_quarter", PRESETS["last_quarter"], add_months(quarter, -3), quarter),
        Period("qtd", PRESETS["qtd"], quarter, today),
        Period("last_12_months", PRESETS["last_12_months"], add_months(month, -12), month),
        Period("ytd", PRESETS["ytd"], year, today),
    ]
    return {p.key: p for p in periods if p.start < p.end}


def previous_period(period: Period) -> Period:
    """The period just before: whole calendar months shift by the same number of months, a
    "to date" period compares with the same days of the month / quarter / year before, anything
    else with the same number of days before it."""
    start, end = period.start, period.end
    if start.day == 1 and end.day == 1:
        months = (end.year - start.year) * 12 + end.month - start.month
        return Period(f"prev_{period.key}", gettext_lazy("Previous period"), add_months(start, -months), start)
    if start.day == 1 and period.key in {"mtd", "qtd", "ytd"}:
        months = {"mtd": 1, "qtd": 3, "ytd": 12}[period.key]
        prev_start = add_months(start, -months)
        prev_end = min(prev_start + (end - start), start)
        return Period(f"prev_{period.key}", gettext_lazy("Previous period"), prev_start, prev_end)
    return Period(f"prev_{period.key}", gettext_lazy("Previous period"), start - (end - start), start)


def period_for(*, key: str | None, start: date | None, end: date | None, today: date) -> Period:
    """A preset by key, or a custom [start, end); defaults to last month."""
    presets = period_presets(today)
    if start and end and start < end:
        return Period("custom", f"{start:%d %b %Y} – {end - timedelta(days=1):%d %b %Y}", start, end)
    return presets.get(key or "", presets["last_month"])
