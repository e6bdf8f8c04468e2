"""The report pages in Arabic: no English left in their content but the data the test wrote
(tests/english_left.py): headings, KPI names, table headers, legends and empty states."""

import pytest
from django.urls import reverse

from reports.services_value import value_report_create
from tests.english_left import english_left, get_in


@pytest.fixture
def book(small_book, admin_user, csm_user, manager_user, today):
    report = value_report_create(
        user=admin_user, account=small_book["a"], title="QBR", start=small_book["last"], end=small_book["month"]
    )
    names = [small_book[k].name for k in "abcd"]
    data = [*names, str(csm_user), str(manager_user), str(admin_user), "SMB", "Enterprise", "Pro", "QBR", "USD"]
    return {"report": report, "account": small_book["a"], "data": data}


PAGES = [
    ("reports:home", lambda b: [], ""),
    ("reports:dashboard", lambda b: [], "?period=last_month"),
    ("reports:cohorts", lambda b: [], ""),
    ("reports:scorecards", lambda b: [], "?period=last_month"),
    ("reports:value_reports", lambda b: [b["account"].pk], ""),
    ("reports:value_report", lambda b: [b["report"].pk], "?lang=ar"),
]


@pytest.mark.parametrize("name, args, query", PAGES, ids=[p[0] for p in PAGES])
def test_page_in_arabic_has_no_english_chrome(admin_client, book, name, args, query):
    url = reverse(name, args=args(book)) + query
    response = get_in(admin_client, url, "ar")
    assert response.status_code == 200
    assert english_left(response.content.decode(), book["data"]) == []
    assert english_left(get_in(admin_client, url, "en").content.decode(), book["data"])


def test_dashboard_charts_speak_arabic(admin_client, book):
    """The chart labels and legends come from the server in the page's language."""
    html = get_in(admin_client, reverse("reports:dashboard") + "?period=last_month", "ar").content.decode()
    assert "إعادة التنشيط" in html and '"Reactivation"' not in html
