"""Survey wording per language (issue 15, item 3): each language falls back to its own built-in
wording, never to another language's custom text; follow-up questions are translated per
language; the builder shows which languages are complete and a preview of each."""

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from surveys.choices import LANGUAGES
from surveys.services import survey_send
from surveys.wording import default_texts, survey_language, wording_status
from tests.factories import AccountFactory, ContactFactory
from tests.factories.surveys import SurveyFactory

pytestmark = pytest.mark.django_db

ARABIC_QUESTION = "ما مدى احتمال أن توصي بمنصتنا؟"
FOLLOW_UPS = [
    {"id": "q1", "type": "single", "label": "ما الذي تستخدمه أكثر؟", "options": ["التقارير", "اللوحات"]},
    {"id": "q2", "type": "text", "label": "هل من شيء آخر؟", "options": []},
]


def arabic_survey(**extra):
    """The issue's survey: default language Arabic, a custom Arabic question, Arabic follow-ups."""
    return SurveyFactory(
        kind="nps",
        default_language="ar",
        translations={"ar": {"question": ARABIC_QUESTION}, **extra.pop("translations", {})},
        follow_ups=FOLLOW_UPS,
        **extra,
    )


# Section: per-language fallback


@pytest.mark.parametrize("lang", ["en", "fa", "zh"])
def test_default_language_custom_question_stays_in_its_language(lang):
    survey = arabic_survey()
    texts = survey.texts(lang)
    # the exact bug: ?lang=zh showed the Arabic question with Chinese buttons
    assert texts["question"] == default_texts("nps", lang)["question"] != ARABIC_QUESTION
    assert texts["submit"] == default_texts("nps", lang)["submit"]
    assert texts["language"] == lang


def test_the_default_language_shows_its_custom_text():
    survey = arabic_survey()
    texts = survey.texts("ar")
    assert texts["question"] == ARABIC_QUESTION
    assert texts["submit"] == default_texts("nps", "ar")["submit"] and texts["dir"] == "rtl"
    # an unknown language gets the default language, custom text included
    assert survey.texts("de")["question"] == ARABIC_QUESTION


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_each_language_uses_its_own_custom_text_first(lang):
    custom = {code: {"question": f"custom {code}", "thanks_happy": f"thanks {code}"} for code in LANGUAGES}
    survey = SurveyFactory(kind="csat", default_language="en", translations=custom)
    texts = survey.texts(lang)
    assert (texts["question"], texts["thanks_happy"]) == (f"custom {lang}", f"thanks {lang}")
    assert texts["low_label"] == default_texts("csat", lang)["low_label"]


def test_english_custom_text_does_not_leak_into_other_languages():
    survey = SurveyFactory(kind="ces", default_language="fa", translations={"en": {"submit": "Go!"}})
    assert survey.texts("en")["submit"] == "Go!"
    for lang in ("ar", "fa", "zh"):
        assert survey.texts(lang)["submit"] == default_texts("ces", lang)["submit"]


def test_language_tags_map_to_our_codes_including_settings_languages():
    assert survey_language("zh-hans") == survey_language("zh-CN") == survey_language("zh") == "zh"
    assert survey_language("ar-EG") == "ar" and survey_language("fa_IR") == "fa"
    assert survey_language("de") == "" and survey_language(None) == ""
    # every language the site speaks has survey wording
    assert all(survey_language(code) for code, _ in settings.LANGUAGES)
    assert SurveyFactory(default_language="en").texts("zh-hans")["language"] == "zh"


def test_follow_ups_show_only_where_translated():
    survey = arabic_survey(
        translations={
            "fa": {"follow_ups": {"q1": {"label": "بیشتر از چه استفاده می‌کنید؟", "options": ["گزارش", "داشبورد"]}}}
        }
    )
    arabic = survey.follow_ups_in("ar")
    assert [q["label"] for q in arabic] == ["ما الذي تستخدمه أكثر؟", "هل من شيء آخر؟"]
    persian = survey.follow_ups_in("fa")
    assert [q["label"] for q in persian] == ["بیشتر از چه استفاده می‌کنید؟"]
    # the value sent stays the stored (default-language) option; only the label is translated
    assert persian[0]["choices"] == [("التقارير", "گزارش"), ("اللوحات", "داشبورد")]
    assert survey.follow_ups_in("zh") == [] and survey.follow_ups_in("en") == []


def test_public_page_in_chinese_has_no_arabic(client):
    survey = arabic_survey()
    page = client.get(f"/s/{survey.public_slug}/?lang=zh")
    html = page.content.decode()
    assert page.status_code == 200
    assert default_texts("nps", "zh")["question"] in html and default_texts("nps", "zh")["submit"] in html
    assert ARABIC_QUESTION not in html and "ما الذي تستخدمه أكثر؟" not in html
    assert 'lang="zh"' in html and 'dir="ltr"' in html


def test_public_page_shows_translated_follow_up_labels_with_stored_values(client):
    survey = arabic_survey(
        translations={"zh": {"follow_ups": {"q1": {"label": "您最常用什么？", "options": ["报表", "仪表板"]}}}}
    )
    html = client.get(f"/s/{survey.public_slug}/?lang=zh-hans").content.decode()
    assert "您最常用什么？" in html and 'value="التقارير"> 报表' in html
    assert "هل من شيء آخر؟" not in html


def test_email_is_written_in_the_contacts_language():
    survey = arabic_survey()
    persian = ContactFactory(account=AccountFactory(), email="p@x.io", language="fa-IR")
    chinese = ContactFactory(account=AccountFactory(), email="z@x.io", language="zh")
    survey_send(survey=survey, contact_ids=[persian.id, chinese.id])
    by_address = {m.to[0]: m for m in mail.outbox}
    fa = by_address["p@x.io"]
    assert fa.subject == default_texts("nps", "fa")["question"]
    assert ARABIC_QUESTION not in fa.body and 'dir="rtl"' in fa.alternatives[0][0]
    assert 'lang="fa"' in fa.alternatives[0][0]
    zh = by_address["z@x.io"]
    assert zh.subject == default_texts("nps", "zh")["question"] and ARABIC_QUESTION not in zh.alternatives[0][0]


def test_widget_offer_is_in_one_language(client, settings):
    from surveys.services import widget_eligibility

    survey = arabic_survey()
    ContactFactory(account=AccountFactory(), external_id="u-zh", language="zh")
    offer = widget_eligibility(workspace=survey.workspace, user_id="u-zh")
    texts = survey.texts(offer["delivery"].language)
    assert offer["delivery"].language == "zh" and texts["question"] != ARABIC_QUESTION
    assert survey.follow_ups_in(offer["delivery"].language) == []


# Section: the builder


def test_wording_status_lists_what_each_language_lacks():
    survey = arabic_survey(
        translations={
            "en": {"question": "How likely are you to recommend our platform?"},
            "fa": {
                "question": "چقدر احتمال دارد پلتفرم ما را توصیه کنید؟",
                "follow_ups": {
                    "q1": {"label": "بیشتر از چه استفاده می‌کنید؟", "options": ["گزارش", "داشبورد"]},
                    "q2": {"label": "چیز دیگری؟", "options": []},
                },
            },
        }
    )
    status = {
        s.code: s
        for s in wording_status(default_language="ar", translations=survey.translations, follow_ups=survey.follow_ups)
    }
    assert status["ar"].is_default and status["ar"].complete
    assert status["fa"].complete
    assert not status["en"].complete and len(status["en"].missing) == 2  # both follow-ups
    assert not status["zh"].complete and len(status["zh"].missing) == 3  # question + 2 follow-ups
    assert "Question" in status["zh"].missing


def builder_post(survey, **overrides):
    data = {
        "name": survey.name,
        "kind": survey.kind,
        "status": survey.status,
        "workspace": str(survey.workspace_id),
        "default_language": survey.default_language,
        "brand_color": "#112233",
        "logo_url": "",
        "sample_percent": "100",
        "trigger": "page_view",
        "trigger_event": "",
        "trigger_days": "0",
        "delay_seconds": "0",
        "drip_per_day": "",
        "segments_text": "",
        "follow_ups_text": "single | ما الذي تستخدمه أكثر؟ | التقارير; اللوحات\ntext | هل من شيء آخر؟",
        "t_ar_question": ARABIC_QUESTION,
    }
    data.update(overrides)
    return data


def test_builder_shows_completeness_and_a_preview_per_language(admin_client):
    survey = arabic_survey(translations={"en": {"question": "How likely are you to recommend our platform?"}})
    page = admin_client.get(reverse("surveys:survey_edit", args=[survey.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count('data-wording="incomplete"') == 3  # en, fa, zh
    assert "Default language" in html
    # a preview per language, each in its own wording and direction
    assert html.count('class="wording-preview"') == len(LANGUAGES)
    assert f'<p class="wp-q">{default_texts("nps", "zh")["question"]}</p>' in html
    assert '<p class="wp-q">How likely are you to recommend our platform?</p>' in html
    assert f'<p class="wp-q">{ARABIC_QUESTION}</p>' in html
    assert 'name="fu_zh_q1"' in html and 'name="fu_ar_q1"' not in html


def test_builder_saves_follow_up_translations_and_refuses_a_wrong_option_count(admin_client):
    survey = arabic_survey()
    url = reverse("surveys:survey_edit", args=[survey.pk])
    admin_client.get(url)
    bad = admin_client.post(url, builder_post(survey, fu_zh_q1="您最常用什么？ | 报表"))
    assert bad.status_code == 400
    assert "2 options" in str(bad.context["form"].errors["fu_zh_q1"])
    done = admin_client.post(
        url,
        builder_post(
            survey,
            t_zh_question="您会向同事推荐我们的平台吗？",
            fu_zh_q1="您最常用什么？ | 报表; 仪表板",
            fu_zh_q2="还有别的吗？",
        ),
    )
    assert done.status_code == 302
    survey.refresh_from_db()
    assert survey.translations["zh"] == {
        "question": "您会向同事推荐我们的平台吗？",
        "follow_ups": {
            "q1": {"label": "您最常用什么？", "options": ["报表", "仪表板"]},
            "q2": {"label": "还有别的吗？", "options": []},
        },
    }
    page = admin_client.get(url).content.decode()
    assert 'id="lang-zh"' in page and page.count('data-wording="complete"') == 1


def test_builder_drops_translations_of_a_changed_follow_up(admin_client):
    survey = arabic_survey(
        translations={"zh": {"follow_ups": {"q1": {"label": "您最常用什么？", "options": ["报表", "仪表板"]}}}}
    )
    url = reverse("surveys:survey_edit", args=[survey.pk])
    admin_client.get(url)
    changed = "single | ما الذي تستخدمه أكثر؟ | التقارير; اللوحات; الواجهة\ntext | هل من شيء آخر؟"
    response = admin_client.post(
        url, builder_post(survey, follow_ups_text=changed, fu_zh_q1="您最常用什么？ | 报表; 仪表板"), follow=True
    )
    assert response.status_code == 200
    survey.refresh_from_db()
    assert "zh" not in survey.translations
    assert survey.follow_ups_in("zh") == []
    assert "translations were cleared" in response.content.decode()


def test_widget_endpoint_sends_one_language_with_translated_follow_up_labels(client):
    import json

    survey = arabic_survey(
        translations={
            "fa": {"follow_ups": {"q1": {"label": "بیشتر از چه استفاده می‌کنید؟", "options": ["گزارش", "داشبورد"]}}}
        }
    )
    ContactFactory(account=AccountFactory(), external_id="u-fa", language="fa")
    body = {"user_id": "u-fa", "user_hash": survey.workspace.user_hash("u-fa"), "language": "fa-IR"}
    response = client.post(
        f"/widget/{survey.workspace.key}/eligibility/",
        data=json.dumps(body),
        content_type="text/plain",
        HTTP_ORIGIN="https://app.example.com",
    )
    offered = response.json()["survey"]
    assert offered["lang"] == "fa" and offered["dir"] == "rtl"
    assert offered["texts"]["question"] == default_texts("nps", "fa")["question"]
    assert offered["follow_ups"] == [
        {
            "id": "q1",
            "type": "single",
            "label": "بیشتر از چه استفاده می‌کنید؟",
            "options": ["التقارير", "اللوحات"],
            "labels": ["گزارش", "داشبورد"],
        }
    ]
