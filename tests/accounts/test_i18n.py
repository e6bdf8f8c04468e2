"""The portfolio and the account page in their reader's language (issue 22): the words around the
data are translated, the data stays as it is; system entries of the timeline are stored in the
source language and shown in the reader's."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from accounts.changelog import change_label, change_subject, change_value
from accounts.choices import ActivityKind, Tier
from accounts.models import Activity
from accounts.services import accounts_stage_set
from tests.factories import AccountFactory, ActivityFactory, ContactFactory, SubscriptionFactory
from tests.page_language import english_left, get_as, page_text

pytestmark = pytest.mark.django_db

ACCOUNT_PARTS = {
    "ids": ["usage-card", "timeline", "contacts-card", "subscriptions-card", "details-card", "health-card"],
    "classes": ["breadcrumbs", "account-head", "kpi-strip"],
}


def _book(owner):
    account = AccountFactory(
        name="Nordwind Handel",
        domain="nordwind.example",
        external_id="crm-77",
        owner=owner,
        tier=Tier.STRATEGIC,
        segment="SMB",
        mrr=Decimal("1000"),
        renewal_date=timezone.now().date() + timedelta(days=40),
    )
    SubscriptionFactory(account=account, plan="Growth", seats=12)
    ContactFactory(account=account, name="Layla Haddad", email="layla@nordwind.example")
    ActivityFactory(account=account, subject="Kickoff", body="Roadmap", author=owner)
    return account


def _data(account, owner) -> list[str]:
    """What the pages show as it is: names, ids, plans, e-mails."""
    return [
        account.name,
        account.domain,
        account.external_id,
        account.segment,
        owner.get_full_name(),
        owner.username,
        owner.email,
        owner.title,
        owner.initials,
        str(owner.manager or ""),
        "Growth",
        "Layla Haddad",
        "layla@nordwind.example",
        "Kickoff",
        "Roadmap",
        "crm",
    ]


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("ar", ["المحفظة", "التواصل التالي", "استراتيجي", "لا توجد حسابات"]),
        ("zh-hans", ["客户组合", "下次触达", "战略"]),
    ],
)
def test_the_portfolio_speaks_the_readers_language(client, csm_user, language, words):
    # given an account in the CSM's book, and the CSM reading in Arabic or Chinese
    account = _book(csm_user)

    # when they open the portfolio, and a search that finds nothing
    page = get_as(client, csm_user, language, reverse("accounts:portfolio"))
    empty = get_as(client, csm_user, language, reverse("accounts:portfolio"), {"q": "zzz"})

    # then the chrome is in their language and only data is left in Latin script
    assert page.status_code == 200
    html = page.content.decode() + empty.content.decode()
    for word in words:
        assert word in html
    text = page_text(page.content.decode(), classes=["content"])
    assert english_left(text, data=_data(account, csm_user)) == []


def test_the_account_page_speaks_arabic(client, csm_user):
    # given an account with a contact, a subscription, a note and a change of tier
    account = _book(csm_user)
    Activity.objects.create(
        account=account,
        kind=ActivityKind.CHANGE,
        author=csm_user,
        subject="Changed Tier",
        occurred_at=timezone.now(),
        metadata={"changes": [{"field": "tier", "label": "Tier", "before": "Standard", "after": "Key"}]},
    )

    # when the CSM opens it in Arabic
    response = get_as(client, csm_user, "ar", reverse("accounts:detail", args=[account.pk]))

    # then its cards are in Arabic and the change reads in Arabic
    html = response.content.decode()
    assert response.status_code == 200
    for word in ["الخط الزمني", "الاشتراكات", "جهات الاتصال", "التفاصيل", "تغيّر المستوى", "قياسي", "رئيسي"]:
        assert word in html
    text = page_text(html, **ACCOUNT_PARTS)
    assert english_left(text, data=_data(account, csm_user)) == []


def test_the_account_page_in_persian_and_chinese_has_no_english_chrome(client, csm_user):
    account = _book(csm_user)
    for language in ("fa", "zh-hans"):
        html = get_as(client, csm_user, language, reverse("accounts:detail", args=[account.pk])).content.decode()
        assert english_left(page_text(html, **ACCOUNT_PARTS), data=_data(account, csm_user)) == [], language


def test_the_import_page_is_translated(client, csm_user):
    html = get_as(client, csm_user, "fa", reverse("accounts:import_list")).content.decode()
    assert "بارگذاری و نگاشت ستون‌ها" in html
    assert english_left(page_text(html, classes=["content"]), data=["external_id", "UTF", "MB"]) == []


def test_a_change_entry_is_stored_in_english_and_shown_in_the_readers_language(csm_user):
    # given a stage change made by someone working in Persian
    account = AccountFactory(owner=csm_user, lifecycle_stage="adoption")
    with translation.override("fa"):
        accounts_stage_set(accounts=[account], stage="at_risk", body="")
    entry = Activity.objects.get(account=account, kind=ActivityKind.SYSTEM)

    # then what is stored is the source language's
    assert entry.subject == "Lifecycle stage Adoption → At risk"

    # and a change of tier reads in each reader's language
    change = {"field": "tier", "label": "Tier", "before": "Standard", "after": "Key"}
    with translation.override("ar"):
        assert change_label(change) == "المستوى"
        assert (change_value(change, "before"), change_value(change, "after")) == ("قياسي", "رئيسي")
        assert change_subject([change]) == "تغيّر المستوى"
    with translation.override("zh-hans"):
        assert change_subject([change], contact="Layla") == "联系人 Layla：更改了等级"
    # a custom field keeps its own label, a free value stays as written
    custom = {"field": "cf.plan_code", "label": "Plan code", "before": "A1", "after": "B2"}
    with translation.override("ar"):
        assert change_label(custom) == "Plan code"
        assert change_value(custom, "after") == "B2"
