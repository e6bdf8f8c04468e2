"""The value report (QBR / EBR): its figures against hand computations, the staff pages (read-only
users change nothing, errors on their field), the PDF (non-empty, the account's name in its
text, Arabic shaped), and the customer's signed link: language, expiry, revocation."""

import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from accounts.models import SupportTicket
from reports.models import ValueReport, ValueReportLink
from reports.services_value import (
    value_report_create,
    value_report_headings_set,
    value_report_link_create,
    value_report_link_revoke,
    value_report_link_token,
)
from reports.value import section_headings, value_figures
from tests.factories import AccountFactory, HealthScoreFactory, PlanGoalFactory, SurveyResponseFactory
from usage.models import AccountDailyUsage

pytestmark = pytest.mark.django_db
START, END = date(2026, 1, 1), date(2026, 4, 1)


def _at(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


@pytest.fixture
def account(csm_user):
    account = AccountFactory(name="Acme Ltd", owner=csm_user, mrr=Decimal("1000"))
    for day, score in (
        (date(2025, 12, 31), 10),
        (date(2026, 1, 5), 40),
        (date(2026, 2, 5), 55),
        (date(2026, 3, 30), 80),
    ):
        HealthScoreFactory(account=account, day=day, score=score, band="green" if score >= 70 else "yellow")
    AccountDailyUsage.objects.create(
        account=account, day=date(2026, 1, 10), events=7, features={"export": 5, "report": 2}
    )
    AccountDailyUsage.objects.create(account=account, day=date(2026, 2, 10), events=4, features={"report": 4})
    AccountDailyUsage.objects.create(account=account, day=date(2026, 4, 2), events=99, features={"export": 99})  # after
    goal_done = PlanGoalFactory(plan__account=account, title="Roll out to finance")
    goal_done.completed_at = _at(date(2026, 2, 1))
    goal_done.save()
    old = PlanGoalFactory(plan=goal_done.plan, title="Kick-off")
    old.completed_at = _at(date(2025, 11, 1))
    old.save()
    PlanGoalFactory(plan=goal_done.plan, title="Expand to sales")
    for i, (opened, first_h, resolved_h) in enumerate(((date(2026, 1, 3), 2, 10), (date(2026, 2, 3), 4, None))):
        SupportTicket.objects.create(
            external_id=f"T{i}",
            account=account,
            opened_at=_at(opened),
            first_response_at=_at(opened) + timedelta(hours=first_h),
            resolved_at=_at(opened) + timedelta(hours=resolved_h) if resolved_h else None,
        )
    for score in (10, 9, 7, 3):
        SurveyResponseFactory(account=account, score=score, submitted_at=_at(date(2026, 3, 1)))
    SurveyResponseFactory(account=account, score=0, submitted_at=_at(date(2025, 12, 1)))  # before
    return account


def test_figures_against_a_hand_computation(account, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):  # a fixed number (TTFV's takes one more on SQLite)
        f = value_figures(account=account, start=START, end=END)
    assert [p["score"] for p in f.health] == [40, 55, 80] and f.health_change == 40
    # x: days from the start over the period's last day (89 days) x 600; y: 160 - score% x 160
    assert f.chart_points == "27.0,96.0 236.0,72.0 593.3,32.0"
    assert [(x["name"], x["count"], x["share"]) for x in f.features] == [("report", 6, 100), ("export", 5, 83)]
    assert f.active_days == 2
    assert [g["title"] for g in f.goals_done] == ["Roll out to finance"]
    assert (f.goals_total, f.goals_done_total) == (3, 2)
    assert (f.tickets, f.first_response_hours, f.resolution_hours) == (2, 3.0, 10.0)
    assert (f.nps_answers, f.nps) == (4, 25)  # promoters 10, 9; detractor 3; of 4 answers: 50% - 25%


def test_headings_per_language_fall_back_to_the_translated_default(account, csm_user):
    report = value_report_create(user=csm_user, account=account, title="Q1 review", start=START, end=END)
    value_report_headings_set(
        user=csm_user, report=report, language="ar", headings={"outcomes": "نتائجكم في الربع الأول"}
    )
    ar = section_headings(report, "ar")
    assert ar["outcomes"] == "نتائجكم في الربع الأول"
    assert ar["support"] == "الدعم"  # the catalogue's translation of the default
    assert section_headings(report, "en")["outcomes"] == "Your outcomes"
    value_report_headings_set(user=csm_user, report=report, language="ar", headings={"outcomes": " "})
    assert "ar" not in report.headings


def test_staff_pages_permissions_and_errors(client, csm_user, readonly_user, account, django_assert_max_num_queries):
    client.force_login(csm_user)
    url = reverse("reports:value_reports", args=[account.pk])
    assert client.get(url).status_code == 200
    bad = client.post(
        reverse("reports:value_report_create", args=[account.pk]),
        {"title": "Q1", "start": "2026-04-01", "end": "2026-01-01"},
    )
    assert bad.status_code == 400 and b'id="end-errors"' in bad.content
    response = client.post(
        reverse("reports:value_report_create", args=[account.pk]),
        {"title": "Q1 review", "start": "2026-01-01", "end": "2026-04-01"},
    )
    report = ValueReport.objects.get()
    assert response.status_code == 302 and response.url == reverse("reports:value_report", args=[report.pk])
    page = reverse("reports:value_report", args=[report.pk])
    client.get(page)
    client.post(
        page + "?lang=en",
        {
            "title": "Q1 review",
            "start": "2026-01-01",
            "end": "2026-04-01",
            "outcomes": "Closed the books 3 days faster.",
        },
    )
    report.refresh_from_db()
    assert report.outcomes == "Closed the books 3 days faster."
    with django_assert_max_num_queries(30):
        body = client.get(page + "?lang=ar").content.decode()
    assert 'dir="rtl"' in body and "Closed the books 3 days faster." in body and "صحة" in body or "الصحة" in body
    client.get(page)
    client.post(reverse("reports:value_report_headings", args=[report.pk]) + "?lang=fa", {"outcomes": "نتایج شما"})
    report.refresh_from_db()
    assert report.headings == {"fa": {"outcomes": "نتایج شما"}}

    client.force_login(readonly_user)
    assert client.get(page).status_code == 200
    assert b'id="value-edit"' not in client.get(page).content
    for target, data in (
        (
            reverse("reports:value_report_create", args=[account.pk]),
            {"title": "X", "start": "2026-01-01", "end": "2026-02-01"},
        ),
        (page, {"title": "Hacked", "start": "2026-01-01", "end": "2026-04-01"}),
        (reverse("reports:value_report_headings", args=[report.pk]), {"outcomes": "x"}),
        (reverse("reports:value_link_create", args=[report.pk]), {"language": "ar", "days": 5}),
    ):
        assert client.post(target, data).status_code == 403
    report.refresh_from_db()
    assert report.title == "Q1 review" and ValueReport.objects.count() == 1 and not ValueReportLink.objects.exists()


def _pdf_text(content: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_pdf_renders_with_the_account_name(client, csm_user, account):
    report = value_report_create(user=csm_user, account=account, title="Q1 review", start=START, end=END)
    client.force_login(csm_user)
    response = client.get(reverse("reports:value_report_pdf", args=[report.pk]) + "?lang=en")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF") and len(response.content) > 5000
    text = _pdf_text(response.content)
    assert "Acme Ltd" in text and "Q1 review" in text and "Net Promoter Score" in text
    arabic = client.get(reverse("reports:value_report_pdf", args=[report.pk]) + "?lang=ar")
    fonts = {
        str(f)
        for page in PdfReader(io.BytesIO(arabic.content)).pages
        for f in (page["/Resources"]["/Font"] or {}).values()
    }
    assert arabic.status_code == 200 and "Acme Ltd" in _pdf_text(arabic.content)
    reader = PdfReader(io.BytesIO(arabic.content))
    names = {
        reader.get_object(ref)["/BaseFont"] for page in reader.pages for ref in page["/Resources"]["/Font"].values()
    }
    assert any("Noto-Sans-Arabic" in name for name in names), names  # the project's font, not a system one
    assert fonts


def test_shared_link_language_expiry_and_revocation(client, csm_user, account):
    report = value_report_create(user=csm_user, account=account, title="Q1 review", start=START, end=END)
    link = value_report_link_create(user=csm_user, report=report, language="ar", days=7)
    url = reverse("reports:value_shared", args=[value_report_link_token(link)])
    client.logout()
    response = client.get(url)
    body = response.content.decode()
    assert response.status_code == 200 and 'lang="ar" dir="rtl"' in body and "Acme Ltd" in body
    assert response["Cache-Control"] == "private, no-store"
    link.refresh_from_db()
    assert link.last_viewed_at is not None
    assert 'dir="ltr"' in client.get(url + "?lang=en").content.decode()
    pdf = client.get(reverse("reports:value_shared_pdf", args=[value_report_link_token(link)]))
    assert pdf.status_code == 200 and "Acme Ltd" in _pdf_text(pdf.content)
    # forged: 404; expired and revoked: 410, on a page that says so
    assert client.get(url[:-3] + "xx/").status_code == 404
    ValueReportLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    gone = client.get(url)
    assert gone.status_code == 410 and b'id="link-error"' in gone.content
    fresh = value_report_link_create(user=csm_user, report=report, language="zh-hans", days=1)
    fresh_url = reverse("reports:value_shared", args=[value_report_link_token(fresh)])
    assert "zh-hans" in client.get(fresh_url).content.decode()
    value_report_link_revoke(user=csm_user, link=fresh)
    assert client.get(fresh_url).status_code == 410
    assert client.get(reverse("reports:value_shared_pdf", args=[value_report_link_token(fresh)])).status_code == 410
