# ruff: noqa: E501  (one language per line reads best)
"""A survey speaks the contact's language through the gettext catalogues (locale/): the personal
link page, the e-mail and the public page's messages show the built-in wording customers saw
before the catalogues, exactly, right to left for Arabic and Persian."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from surveys.services import survey_link_for_contact, survey_send
from surveys.wording import default_texts
from tests.factories import AccountFactory, ContactFactory
from tests.factories.surveys import SurveyFactory

pytestmark = pytest.mark.django_db

# (contact's language, html lang, dir, NPS question, submit button, "Why?" prompt)
LANGUAGES = [
    ("ar", "ar", "rtl", "ما مدى احتمال أن توصي بنا لصديق أو زميل؟", "إرسال", "ما السبب الرئيسي لتقييمك؟"),
    (
        "fa",
        "fa",
        "rtl",
        "چقدر احتمال دارد ما را به یک دوست یا همکار توصیه کنید؟",
        "ارسال",
        "دلیل اصلی امتیاز شما چیست؟",
    ),
    ("zh-hans", "zh", "ltr", "您有多大可能向朋友或同事推荐我们？", "提交", "您给出这个评分的主要原因是什么？"),
]


def _path(url: str) -> str:
    return "/" + url.split("/", 3)[3]


@pytest.mark.parametrize("language, html_lang, direction, question, submit, prompt", LANGUAGES)
def test_personal_link_page_in_the_contacts_language(client, language, html_lang, direction, question, submit, prompt):
    # given
    survey = SurveyFactory(kind="nps", workspace=None)
    contact = ContactFactory(account=AccountFactory(), language=language)
    # when
    html = client.get(_path(survey_link_for_contact(survey=survey, contact=contact))).content.decode()
    # then
    assert f'<html lang="{html_lang}" dir="{direction}">' in html
    assert question in html and prompt in html and f">{submit}</button>" in html


@pytest.mark.parametrize("language, html_lang, direction, question, submit, prompt", LANGUAGES)
def test_survey_email_in_the_contacts_language(language, html_lang, direction, question, submit, prompt):
    # given
    survey = SurveyFactory(kind="nps", workspace=None)
    contact = ContactFactory(account=AccountFactory(), language=language, email="c@example.com")
    # when
    survey_send(survey=survey, contact_ids=[contact.id])
    # then
    message = mail.outbox[-1]
    assert message.subject == question
    assert f'dir="{direction}"' in message.alternatives[0][0]


def test_built_in_wording_of_every_kind_comes_from_the_catalogues():
    assert default_texts("csat", "ar")["low_label"] == "غير راضٍ إطلاقًا"
    assert default_texts("ces", "fa")["question"] == "امروز انجام کاری که می‌خواستید چقدر آسان بود؟"
    assert default_texts("ces", "zh")["high_label"] == "非常容易"
    assert default_texts("nps", "zh")["thanks_unhappy"] == "谢谢您。很抱歉让您失望了，我们的团队会尽快联系您。"
    assert default_texts("nps", "en")["dismiss"] == "Close"
    assert default_texts("nps", "de") == {}


@pytest.mark.parametrize(
    "lang, heading, message",
    [
        ("ar", "تعذّر علينا تسجيل ذلك.", "أُرسلت هذه الإجابة من موقع ويب آخر، لذا لم تُسجَّل."),
        ("fa", "نتوانستیم آن را ثبت کنیم.", "این پاسخ از وب‌سایت دیگری فرستاده شد، بنابراین ثبت نشد."),
        ("zh", "我们无法记录该内容。", "此回答是从其他网站发送的，因此未被记录。"),
    ],
)
def test_public_page_refusal_in_the_pages_language(client, lang, heading, message):
    """The survey's "zh" is the site's "zh-hans": its messages come from the Chinese catalogue."""
    # given
    survey = SurveyFactory(kind="nps", workspace=None)
    url = reverse("surveys:public_link", args=[survey.public_slug]) + f"?lang={lang}"
    assert client.get(url).status_code == 200
    # when
    response = client.post(url, {"score": "9"}, headers={"Origin": "https://elsewhere.example"})
    # then
    html = response.content.decode()
    assert response.status_code == 403
    assert heading in html and message in html
    assert re.search(r'<html lang="[^"]+" dir="(rtl|ltr)">', html).group(1) == ("ltr" if lang == "zh" else "rtl")
