"""The risk and reason pages: open a risk from the account page, work and close it, answer a
reason prompt, record a cancellation with its reason, the admin's reason list, the reports;
read-only users see but change nothing; errors land on their field (400); flat query counts."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Subscription
from renewals.models import ChurnReason, ReasonCode, ReasonPrompt, Risk
from tests.factories import AccountFactory, SubscriptionFactory
from tests.factories.renewals import ChurnReasonFactory, RiskFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.now().date()


def _price():
    return ReasonCode.objects.get(code="price")


def test_account_page_shows_the_panels(csm_client, csm_user, django_assert_max_num_queries):
    account = AccountFactory(owner=csm_user)
    RiskFactory(account=account, reason_code=_price())
    SubscriptionFactory(account=account, plan="Scale", mrr=Decimal("900"))
    body = csm_client.get(reverse("accounts:detail", args=[account.pk])).content.decode()
    assert 'id="panel-risks"' in body and "Price / budget" in body
    assert (
        'id="panel-lost-reasons"' in body
        and reverse("renewals:subscription_loss", args=[account.subscriptions.get().pk]) in body
    )
    assert reverse("renewals:risk_create", args=[account.pk]) in body
    # more risks, reasons and subscriptions do not add queries
    with django_assert_max_num_queries(60) as baseline:
        csm_client.get(reverse("accounts:detail", args=[account.pk]))
    for _ in range(5):
        RiskFactory(account=account, reason_code=_price())
        ChurnReasonFactory(account=account, reason_code=_price())
        SubscriptionFactory(account=account, plan="Extra", mrr=Decimal("10"))
    with django_assert_max_num_queries(len(baseline.captured_queries)):
        csm_client.get(reverse("accounts:detail", args=[account.pk]))


def test_open_work_and_close_a_risk_through_the_pages(csm_client, csm_user):
    account = AccountFactory(owner=csm_user, mrr=Decimal("100"))
    url = reverse("renewals:risk_create", args=[account.pk])
    csm_client.get(url)
    bad = csm_client.post(url, {"type": "churn", "severity": "high"})  # the form's own check
    assert bad.status_code == 400 and b'id="reason_code-errors"' in bad.content
    past = (TODAY - timedelta(days=2)).isoformat()
    bad = csm_client.post(url, {"type": "churn", "reason_code": _price().pk, "severity": "high", "due_date": past})
    assert bad.status_code == 400 and b'id="due_date-errors"' in bad.content  # the service's, on its field
    response = csm_client.post(
        url, {"type": "churn", "reason_code": _price().pk, "severity": "high", "owner": csm_user.pk}
    )
    risk = Risk.objects.get()
    assert response.status_code == 302 and response.url == reverse("accounts:detail", args=[account.pk])
    assert risk.arr_at_risk == Decimal("1200") and risk.opened_by == csm_user

    detail = reverse("renewals:risk_detail", args=[risk.pk])
    csm_client.get(detail)
    csm_client.post(
        detail,
        {
            "status": "mitigating",
            "reason_code": _price().pk,
            "severity": "critical",
            "arr_at_risk": "5000",
            "owner": csm_user.pk,
            "mitigation_plan": "QBR",
        },
    )
    risk.refresh_from_db()
    assert (risk.status, risk.severity, risk.arr_at_risk, risk.mitigation_plan) == (
        "mitigating",
        "critical",
        Decimal("5000"),
        "QBR",
    )
    close = reverse("renewals:risk_close", args=[risk.pk])
    csm_client.get(detail)
    bad = csm_client.post(close, {"outcome": "saved"})
    assert bad.status_code == 400 and b'id="note-errors"' in bad.content
    assert csm_client.post(close, {"outcome": "saved", "note": "Renewed"}).status_code == 302
    risk.refresh_from_db()
    assert risk.status == "saved" and risk.outcome_note == "Renewed"
    assert b'id="risk-outcome"' in csm_client.get(detail).content  # closed: read-only view with the outcome


def test_read_only_users_see_but_change_nothing(client, readonly_user, csm_user):
    account = AccountFactory(owner=csm_user)
    risk = RiskFactory(account=account, reason_code=_price())
    sub = SubscriptionFactory(account=account)
    prompt = ReasonPrompt.objects.create(
        account=account, subscription=sub, kind="churn", change_key="k", occurred_on=TODAY
    )
    client.force_login(readonly_user)
    page = client.get(reverse("accounts:detail", args=[account.pk])).content.decode()
    assert reverse("renewals:risk_create", args=[account.pk]) not in page
    assert reverse("renewals:prompt_answer", args=[prompt.pk]) not in page
    assert client.get(reverse("renewals:risk_list")).status_code == 200
    assert client.get(reverse("renewals:risk_detail", args=[risk.pk])).status_code == 200
    for url, data in (
        (
            reverse("renewals:risk_create", args=[account.pk]),
            {"type": "churn", "reason_code": _price().pk, "severity": "low"},
        ),
        (
            reverse("renewals:risk_detail", args=[risk.pk]),
            {"status": "mitigating", "reason_code": _price().pk, "severity": "low", "arr_at_risk": "1"},
        ),
        (reverse("renewals:risk_close", args=[risk.pk]), {"outcome": "lost", "note": "x"}),
        (reverse("renewals:prompt_answer", args=[prompt.pk]), {"reason_code": _price().pk}),
        (reverse("renewals:subscription_loss", args=[sub.pk]), {"kind": "churn", "reason_code": _price().pk}),
        (reverse("renewals:reason_code_create"), {"code": "x", "label": "X", "order": 1}),
    ):
        assert client.post(url, data).status_code == 403, url
    risk.refresh_from_db()
    assert risk.status == "open" and Risk.objects.count() == 1 and not ChurnReason.objects.exists()
    assert Subscription.objects.get().end_date is None and not ReasonCode.objects.filter(code="x").exists()


def test_answer_a_prompt_and_record_a_cancellation(csm_client, csm_user):
    account = AccountFactory(owner=csm_user)
    sub = SubscriptionFactory(account=account, mrr=Decimal("250"))
    prompt = ReasonPrompt.objects.create(
        account=account, subscription=sub, kind="downgrade", change_key="k1", arr_lost=Decimal("600"), occurred_on=TODAY
    )
    url = reverse("renewals:prompt_answer", args=[prompt.pk])
    csm_client.get(url)
    assert csm_client.post(url, {"note": "x"}).status_code == 400
    assert csm_client.post(url, {"reason_code": _price().pk, "note": "Budget"}).status_code == 302
    assert ChurnReason.objects.get().arr_lost == Decimal("600")
    assert b'id="prompt-answered"' in csm_client.get(url).content

    loss = reverse("renewals:subscription_loss", args=[sub.pk])
    csm_client.get(loss)
    bad = csm_client.post(loss, {"kind": "downgrade", "reason_code": _price().pk, "new_mrr": "300"})
    assert bad.status_code == 400 and b'id="new_mrr-errors"' in bad.content
    end = TODAY + timedelta(days=9)
    assert (
        csm_client.post(
            loss, {"kind": "churn", "reason_code": _price().pk, "effective_date": end.isoformat()}
        ).status_code
        == 302
    )
    assert Subscription.objects.get().end_date == end
    assert ChurnReason.objects.filter(kind="churn", arr_lost=Decimal("3000")).exists()


def test_admin_edits_the_reason_list(client, csm_user, admin_user):
    client.force_login(csm_user)
    assert client.get(reverse("renewals:reason_codes")).status_code == 403
    client.force_login(admin_user)
    admin_client = client
    assert "السعر / الميزانية" in admin_client.get(reverse("renewals:reason_codes")).content.decode()
    url = reverse("renewals:reason_code_create")
    admin_client.get(url)
    response = admin_client.post(
        url,
        {
            "code": "security",
            "label": "Security review",
            "label_ar": "مراجعة أمنية",
            "label_zh_hans": "安全审查",
            "order": 5,
        },
    )
    assert response.status_code == 302
    code = ReasonCode.objects.get(code="security")
    assert code.labels == {"ar": "مراجعة أمنية", "zh-hans": "安全审查"}
    edit = reverse("renewals:reason_code_edit", args=[code.pk])
    admin_client.get(edit)
    dup = admin_client.post(edit, {"code": "price", "label": "X", "order": 5})
    assert dup.status_code == 400 and b'id="code-errors"' in dup.content


def test_risk_list_filters_and_query_count(csm_client, csm_user, django_assert_max_num_queries):
    a = RiskFactory(account=AccountFactory(name="Alpha"), type="churn", reason_code=_price())
    RiskFactory(account=AccountFactory(name="Beta"), type="product", reason_code=_price())
    RiskFactory(account=AccountFactory(name="Gamma"), type="churn", status="lost", reason_code=_price())
    body = csm_client.get(reverse("renewals:risk_list")).content.decode()
    assert "Alpha" in body and "Beta" in body and "Gamma" not in body  # opens on live risks
    body = csm_client.get(reverse("renewals:risk_list"), {"type": "churn", "state": ""}).content.decode()
    assert "Alpha" in body and "Gamma" in body and "Beta" not in body
    body = csm_client.get(reverse("renewals:risk_list"), {"q": "alp"}, HTTP_HX_REQUEST="true").content.decode()
    assert "Alpha" in body and "<html" not in body
    with django_assert_max_num_queries(20) as baseline:
        csm_client.get(reverse("renewals:risk_list"))
    for _ in range(10):
        RiskFactory(reason_code=a.reason_code)
    with django_assert_max_num_queries(len(baseline.captured_queries)):
        csm_client.get(reverse("renewals:risk_list"))


def test_reports_render_and_refuse_bad_periods(csm_client):
    RiskFactory(reason_code=_price(), arr_at_risk=Decimal("7000"))
    ChurnReasonFactory(reason_code=_price(), arr_lost=Decimal("4000"), occurred_on=TODAY)
    body = csm_client.get(reverse("renewals:risk_report")).content.decode()
    assert 'id="total-at-risk"' in body and "$7,000" in body and "by-reason-chart" in body
    body = csm_client.get(reverse("renewals:lost_report")).content.decode()
    assert "$4,000" in body and "by-tenure-chart" in body
    bad = csm_client.get(reverse("renewals:lost_report"), {"start": "2026-05-01", "end": "2026-01-01"})
    assert bad.status_code == 400 and b'id="end-errors"' in bad.content
    assert csm_client.get(reverse("renewals:lost_report"), {"start": "nope"}).status_code == 400


def test_link_an_open_task_to_the_risk(client, csm_user, readonly_user):
    from tests.factories import TaskFactory

    account = AccountFactory(owner=csm_user)
    risk = RiskFactory(account=account, reason_code=_price())
    task = TaskFactory(account=account, title="Call the sponsor")
    other = TaskFactory(title="Elsewhere")
    client.force_login(csm_user)
    page = client.get(reverse("renewals:risk_detail", args=[risk.pk])).content.decode()
    assert "Call the sponsor" in page and "Elsewhere" not in page
    url = reverse("renewals:risk_task_link", args=[risk.pk])
    assert client.post(url, {"task": other.pk}).status_code == 404  # another account's task
    assert client.post(url, {"task": task.pk}).status_code == 302
    assert list(risk.tasks.all()) == [task]
    client.force_login(readonly_user)
    client.get(reverse("renewals:risk_detail", args=[risk.pk]))
    assert client.post(url, {"task": task.pk}).status_code == 403
