"""The dashboard's figures and the home page's account panels are cached per slice / scope for a
minute (reports.selectors.page_cached, issue 23): they move on when an account is saved through
the product or the pre-aggregate is refreshed, tasks stay live, and a page served from the
cache is the page computed afresh, in every language."""

import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from accounts.models import Account
from playbooks.choices import TaskStatus
from playbooks.models import Task
from reports import selectors
from reports.periods import period_for
from reports.services import reports_refresh
from tests.english_left import get_in
from tests.factories import TaskFactory
from tests.html_tokens import html_tokens

pytestmark = pytest.mark.django_db

LANGUAGES = ["en", "ar", "fa", "zh-hans"]


def _panel(html: str, panel_id: str) -> str:
    start = html.index(f'id="{panel_id}"')
    return html[start : html.index("</table>", start) if "</table>" in html[start:] else None]


def _set_band(account, band: str) -> None:
    """As the health recompute writes bands: a queryset update (no signal)."""
    Account.objects.filter(pk=account.pk).update(health_band=band)


def test_home_at_risk_panel_is_cached_until_an_account_is_saved(csm_client, small_book):
    # given the home page seen once: Acme (red) at risk, Bolt (green) not
    html = csm_client.get("/").content.decode()
    assert "Acme" in _panel(html, "home-at-risk") and "Bolt" not in _panel(html, "home-at-risk")
    # when Bolt turns red by a bulk write, the cached panel stays as it was
    _set_band(small_book["b"], "red")
    assert "Bolt" not in _panel(csm_client.get("/").content.decode(), "home-at-risk")
    # then an account saved through the product moves the version: the panel is recomputed
    Account.objects.get(pk=small_book["b"].pk).save()
    assert "Bolt" in _panel(csm_client.get("/").content.decode(), "home-at-risk")


def test_home_tasks_stay_live(csm_client, small_book):
    task = TaskFactory(account=small_book["a"], title="Call the champion")
    assert "Call the champion" in csm_client.get("/").content.decode()
    Task.objects.filter(pk=task.pk).update(status=TaskStatus.DONE)
    assert "Call the champion" not in csm_client.get("/").content.decode()


def test_dashboard_figures_follow_the_refresh_version(small_book, today):
    period = period_for(key="last_month", start=None, end=None, today=today)
    reports_refresh(as_of=today)

    def green() -> int:
        rows = selectors.dashboard_figures(period, selectors.Filters(), today, 90)["distribution"]
        return next(r["accounts"] for r in rows if r["band"] == "green")

    before = green()
    _set_band(small_book["a"], "green")
    assert green() == before  # cached: same slice, period and refresh
    reports_refresh(as_of=today)
    assert green() == before + 1  # a new pre-aggregate refresh: recomputed


def _tokens(html: str) -> list:
    """The page's tokens without its CSRF tokens (masked afresh on every response)."""
    html = re.sub(r'(csrfmiddlewaretoken" value=")[^"]*"', r"\1", html)
    return html_tokens(re.sub(r"(X-CSRFToken&quot;: &quot;|X-CSRFToken\": \")[A-Za-z0-9]+", r"\1", html))


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("url", ["/", "/dashboard/", "/dashboard/?period=last_month"])
def test_page_from_the_cache_is_the_page_computed_afresh(csm_client, small_book, today, language, url):
    reports_refresh(as_of=today)
    cache.clear()
    cold = get_in(csm_client, url, language)
    warm = get_in(csm_client, url, language)
    assert cold.status_code == warm.status_code == 200
    assert _tokens(warm.content.decode()) == _tokens(cold.content.decode())


def test_dashboard_served_from_the_cache_with_fewer_queries(csm_client, small_book, today):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    reports_refresh(as_of=today)
    url = reverse("reports:dashboard")
    with CaptureQueriesContext(connection) as cold:
        csm_client.get(url)
    with CaptureQueriesContext(connection) as warm:
        csm_client.get(url)
    assert len(warm.captured_queries) < len(cold.captured_queries)


def test_a_csv_export_reads_the_figures_as_they_are(csm_client, small_book):
    def red_accounts(answer) -> int:
        rows = [line.split(",") for line in answer.content.decode().strip().splitlines()[1:]]
        return {row[0]: int(row[1]) for row in rows}["Red"]

    # given the dashboard seen once (its figures cached) and its health export
    assert csm_client.get("/dashboard/").status_code == 200
    before = red_accounts(csm_client.get("/dashboard/?export=health"))
    # when a band changes by a bulk write (no signal: the cached page would not know)
    _set_band(small_book["b"], "red")
    # then the export is computed afresh
    assert red_accounts(csm_client.get("/dashboard/?export=health")) == before + 1
