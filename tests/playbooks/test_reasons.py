"""playbooks.reasons: a trigger's reason stored in English and said in each reader's language."""

from datetime import date
from decimal import Decimal

from django.utils import translation
from django.utils.translation import gettext_noop, ngettext_lazy

from accounts.choices import HealthBand, Tier
from playbooks.reasons import day, label, money, number, reason_text, say, say_plural
from playbooks.triggers.base import Match


def test_the_english_sentence_is_what_the_triggers_always_wrote():
    said = say(
        gettext_noop("renews on %(day)s (in %(days)s days), ARR %(arr)s"),
        day=day(date(2027, 1, 6), "%d %b %Y"),
        days=number(30),
        arr=money(Decimal("12000.00")),
    )
    assert said.text == "renews on 06 Jan 2027 (in 30 days), ARR 12,000"
    assert said.data["msgid"] == "renews on %(day)s (in %(days)s days), ARR %(arr)s"


def test_said_in_arabic_persian_and_chinese_with_their_formats():
    said = say(
        gettext_noop("health fell from %(then)s to %(now)s in %(days)s days"),
        then=number(72),
        now=number(41),
        days=number(7),
    )
    with translation.override("ar"):
        assert reason_text(said.text, said.data) == "انخفضت درجة الصحة من 72 إلى 41 خلال 7 يومًا"
    with translation.override("zh-hans"):
        assert reason_text(said.text, said.data) == "健康评分在 7 天内从 72 降至 41"
    with translation.override("en"):
        assert reason_text(said.text, said.data) == said.text


def test_labels_follow_their_catalogue_context_and_the_english_case():
    band = label(HealthBand.RED.label, lower=True)
    tier = label(Tier.KEY.label)  # pgettext_lazy("tier", "Key")
    assert band == {"l": "Red", "e": "red"} and tier == {"l": "Key", "c": "tier"}
    said = say(
        gettext_noop("health band went from %(before)s to %(after)s on %(day)s"),
        before=label(HealthBand.GREEN.label, lower=True),
        after=band,
        day=day(date(2026, 12, 5)),
    )
    assert said.text == "health band went from green to red on 05 Dec"
    with translation.override("ar"):
        text = reason_text(said.text, said.data)
    assert "أحمر" in text and "red" not in text
    with translation.override("ar"):
        assert reason_text("x", {"msgid": "%(t)s", "params": {"t": tier}}) == "رئيسي"


def test_plural_forms_follow_each_language():
    message = ngettext_lazy(
        "%(years)s year as a customer on %(day)s (since %(start)s)",
        "%(years)s years as a customer on %(day)s (since %(start)s)",
        "years",
    )
    one = say_plural(
        message, years=number(1), day=day(date(2027, 1, 5), "%d %b %Y"), start=day(date(2026, 1, 5), "%d %b %Y")
    )
    three = say_plural(
        message, years=number(3), day=day(date(2027, 1, 5), "%d %b %Y"), start=day(date(2024, 1, 5), "%d %b %Y")
    )
    assert one.text == "1 year as a customer on 05 Jan 2027 (since 05 Jan 2026)"
    assert three.text.startswith("3 years as a customer")
    with translation.override("ar"):
        assert reason_text(three.text, three.data).startswith("3 سنوات كعميل")


def test_data_that_no_longer_reads_falls_back_to_the_stored_english():
    with translation.override("ar"):
        assert reason_text("stored", {"msgid": "%(gone)s", "params": {}}) == "stored"
        assert reason_text("stored", {"msgid": "%(x)s", "params": {"x": {"?": 1}}}) == "stored"
        assert reason_text("typed by hand", {}) == "typed by hand"


def test_a_match_splits_a_reason_into_text_and_data():
    said = say(gettext_noop("new"))
    match = Match(account_id=1, key="k", reason=said, signal={})
    assert match.reason == "new" and match.reason_data == {"msgid": "new", "params": {}}
    assert Match(account_id=1, key="k", reason="plain", signal={}).reason_data == {}
