"""Every CSV export neutralises cells a spreadsheet would run as a formula (OWASP "CSV Injection").

Hostile text reaches exports through account names, task titles, segments, CSM names and usage
event names (which an ingest-only API key chooses); each starts with one of = + - @ tab CR."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse

from accounts.models import Account
from core.csv_export import FORMULA_PREFIXES, csv_cell
from tests.factories import UserFactory
from usage.models import AccountDailyUsage

pytestmark = pytest.mark.django_db

EXPORTS = {
    "reports:dashboard": ["metrics", "waterfall", "mrr", "health", "health_trend", "renewals", "nps", "features"]
    + ["roi"],
    "reports:scorecards": ["csm", "segment"],
    "reports:cohorts": ["cohorts"],
    "reports:home": ["at_risk", "renewals", "tasks"],
}
HOSTILE = ['=HYPERLINK("http://evil")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\tTab", "\rCR"]


def test_cell_helper_neutralises_formulas_and_keeps_numbers():
    from decimal import Decimal

    for text in HOSTILE:
        assert csv_cell(text) == "'" + text
    assert csv_cell(Decimal("-120.5")) == "-120.50"
    assert csv_cell(-3) == "-3" and csv_cell(0.25) == "0.25" and csv_cell("-42.10") == "-42.10"
    assert csv_cell(None) == "" and csv_cell("Acme") == "Acme" and csv_cell("a=b") == "a=b"


def test_every_export_neutralises_every_cell(client, manager_user, csm_user, small_book, today):
    # given: hostile text in every field that reaches an export, as the manager's own book
    from playbooks.models import Task

    hostile = iter(HOSTILE * 3)
    for account in Account.objects.all():
        account.name = next(hostile)
        account.segment = next(hostile)
        account.owner = manager_user
        account.lifecycle_stage = "at_risk"
        account.renewal_date = today + timedelta(days=10)
        account.save()
        Task.objects.create(account=account, title=next(hostile), due_date=today, assignee=manager_user)
    manager_user.first_name, manager_user.last_name = "=cmd|' /C calc'!A0", ""
    manager_user.save()
    UserFactory(first_name="@evil", last_name="")
    last = small_book["last"]
    for account in Account.objects.all():
        AccountDailyUsage.objects.create(
            account=account, day=last + timedelta(days=4), events=3, features={"=HYPERLINK(1)": 2, "-1+1": 1}
        )
    client.force_login(manager_user)
    hostile_seen = 0
    seen_in: set[str] = set()
    # when / then
    for name, tables in EXPORTS.items():
        for table in tables:
            response = client.get(reverse(name), {"period": "last_month", "export": table})
            assert response.status_code == 200, (name, table)
            for row in csv.reader(io.StringIO(response.content.decode(), newline="")):
                for cell in row:
                    assert not cell.startswith(FORMULA_PREFIXES) or _is_number(cell), (name, table, cell)
                    if cell.startswith("'"):
                        hostile_seen += 1
                        seen_in.add(f"{name}:{table}")
    # the hostile text did reach the exports that show names, titles, segments and event names
    assert hostile_seen >= 10
    assert {
        "reports:home:at_risk",
        "reports:home:renewals",
        "reports:home:tasks",
        "reports:dashboard:features",
        "reports:scorecards:csm",
        "reports:scorecards:segment",
    } <= seen_in, seen_in


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
