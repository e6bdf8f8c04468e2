"""The customer's shared plan speaks the contact's language (or ?lang=) through the gettext
catalogues (locale/): the texts customers saw before the catalogues, exactly, right to left for
Arabic and Persian; the error pages too."""

import pytest
from django.urls import reverse

from onboarding import services
from tests.factories import ContactFactory

PAGES = {
    "ar": ("rtl", "خطة النجاح لـ {account}", "تم إنجاز 0 من {total}", "أنتم هنا", "مدير نجاحكم"),
    "fa": ("rtl", "برنامه موفقیت برای {account}", "0 از {total} انجام شده", "شما اینجا هستید", "مدیر موفقیت شما"),
    "zh-hans": ("ltr", "{account} 的成功计划", "已完成 0 / {total}", "当前阶段", "您的客户成功经理"),
}


@pytest.fixture
def plan(published_map, account):
    return services.success_plan_start(account=account, success_map=published_map)


def _url(link) -> str:
    return reverse("onboarding:shared_plan", args=[services.share_link_token(link)])


@pytest.mark.parametrize("language", PAGES)
def test_shared_plan_in_the_contacts_language(client, plan, account, language):
    # given
    direction, heading, progress, now, owner_us = PAGES[language]
    contact = ContactFactory(account=account, language=language)
    services.plan_goal_create(plan=plan, title="Kick-off call")
    link = services.share_link_create(plan=plan, contact=contact, days=14)
    # when
    html = client.get(_url(link)).content.decode()
    # then
    assert f'<html lang="{language}" dir="{direction}">' in html
    assert heading.format(account=account.name) in html
    assert progress.format(total=plan.goals.count()) in html
    assert now in html and owner_us in html


@pytest.mark.parametrize(
    "lang, title, body",
    [
        ("ar", "الرابط غير موجود", "هذا الرابط غير صالح. تأكدوا من نسخه كاملًا."),
        ("fa", "پیوند پیدا نشد", "این پیوند معتبر نیست. مطمئن شوید همه آن را کپی کرده‌اید."),
        ("zh-CN", "未找到链接", "此链接无效，请确认已完整复制。"),
    ],
)
def test_invalid_link_page_in_the_chosen_language(client, db, lang, title, body):
    # when
    response = client.get(reverse("onboarding:shared_plan", args=["not-a-token"]) + f"?lang={lang}")
    # then
    html = response.content.decode()
    assert response.status_code == 404
    assert f"<h1>{title}</h1>" in html and body in html
