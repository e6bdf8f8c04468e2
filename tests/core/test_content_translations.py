"""Admin-written content per language (core.content_translations): a language's text when written,
else the default language's; merges that name the field they refuse."""

import pytest
from django.core.exceptions import ValidationError

from core.content_translations import (
    content_language,
    content_languages,
    translated_text,
    translations_clean,
    translations_merge,
)


def test_a_language_reads_its_own_text_else_the_default():
    translations = {"ar": {"name": "الإعداد"}, "fa": {"name": "  "}}
    assert translated_text(translations, "name", "ar", "Set up") == "الإعداد"
    assert translated_text(translations, "name", "ar-EG", "Set up") == "الإعداد"  # a regional tag
    assert translated_text(translations, "name", "fa", "Set up") == "Set up"  # blank is not written
    assert translated_text(translations, "name", "zh-hans", "Set up") == "Set up"  # not written
    assert translated_text(translations, "name", "en", "Set up") == "Set up"  # the default itself
    assert translated_text(translations, "name", "xx", "Set up") == "Set up"  # a language we do not speak
    assert translated_text(None, "name", "ar", "Set up") == "Set up"


def test_languages_and_codes():
    assert list(content_languages())[0] == "en"
    assert set(content_languages()) == {"en", "ar", "fa", "zh-hans"}
    assert content_language("zh") == "zh-hans" and content_language("fa_IR") == "fa"


def test_merge_writes_one_language_and_an_empty_text_removes_it():
    current = {"ar": {"name": "قديم", "description": "وصف"}, "fa": {"name": "نام"}}
    merged = translations_merge(
        current, language="ar", values={"name": "جديد", "description": ""}, fields=("name", "description")
    )
    assert merged == {"ar": {"name": "جديد"}, "fa": {"name": "نام"}}
    assert current["ar"]["name"] == "قديم"  # the input is not changed in place
    emptied = translations_merge(merged, language="ar", values={"name": ""}, fields=("name", "description"))
    assert emptied == {"fa": {"name": "نام"}}


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"language": "en", "values": {"name": "x"}}, "language"),  # the default is the field itself
        ({"language": "de", "values": {"name": "x"}}, "language"),  # not one of ours
        ({"language": "ar", "values": {"colour": "x"}}, "translations"),
        ({"language": "ar", "values": {"name": 3}}, "name"),
        ({"language": "ar", "values": {"name": "x" * 11}}, "name"),
    ],
)
def test_merge_refuses_with_the_field(kwargs, field):
    with pytest.raises(ValidationError) as info:
        translations_merge({}, fields=("name",), max_lengths={"name": 10}, **kwargs)
    assert field in info.value.message_dict


def test_clean_reads_a_whole_object():
    assert translations_clean({"ar": {"name": " اسم "}}, fields=("name",)) == {"ar": {"name": "اسم"}}
    assert translations_clean(None, fields=("name",)) == {}
    for bad in (["ar"], {"ar": "اسم"}):
        with pytest.raises(ValidationError):
            translations_clean(bad, fields=("name",))
