"""The domain's words are translated the same way everywhere (issue 22: catalogues "reviewed for
the domain's words"). For every catalogue entry whose English names a domain term, the
translation must use that language's agreed word (any of its listed forms: singular, plural,
with or without the article). Placeholders such as %(playbook)s or {{ playbook.name }} do not
count as the word."""

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

LOCALE = Path(__file__).resolve().parents[2] / "locale"

# term (matched as a word, case-insensitive, plural included) -> {language: accepted forms}
GLOSSARY = {
    r"playbooks?": {
        "ar": ["دليل الإجراءات", "دليل إجراءات", "أدلة الإجراءات", "أدلة إجراءات", "دليل", "أدلة"],
        "fa": ["پلی‌بوک"],
        "zh_Hans": ["行动手册"],
    },
    r"health scores?": {
        "ar": ["درجة الصحة", "درجات الصحة", "درجة صحة"],
        "fa": ["امتیاز سلامت", "امتیازهای سلامت"],
        "zh_Hans": ["健康评分"],
    },
    r"success maps?": {
        "ar": ["خريطة", "خرائط"],
        "fa": ["نقشه"],
        "zh_Hans": ["成功地图"],
    },
    r"churn(?:s|ed|ers?)?": {
        "ar": ["فقدان", "فُقد", "فقد", "المفقود", "مفقود"],
        "fa": ["ریزش"],
        "zh_Hans": ["流失"],
    },
    r"renewals?": {
        "ar": ["تجديد", "التجديد", "تجديدات", "التجديدات"],
        "fa": ["تمدید"],
        "zh_Hans": ["续约"],
    },
}

PLACEHOLDERS = re.compile(r"%\([^)]*\)[sdf]|\{\{[^}]*\}\}|\{[a-z_]+\}|<[^>]+>")


def _entries(language):
    with open(LOCALE / language / "LC_MESSAGES" / "django.po", "rb") as fh:
        catalog = read_po(fh)
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        yield PLACEHOLDERS.sub(" ", " ".join(ids)), " ".join(s or "" for s in strings)


@pytest.mark.parametrize("language", ["ar", "fa", "zh_Hans"])
def test_domain_words_are_translated_one_way(language):
    wrong = []
    for english, translated in _entries(language):
        for term, forms in GLOSSARY.items():
            if language not in forms or not re.search(rf"\b{term}\b", english, re.IGNORECASE):
                continue
            if not any(form in translated for form in forms[language]):
                wrong.append(f"{term!r}: {english[:70]!r} -> {translated[:70]!r}")
    assert not wrong, f"{language}: the domain word is not the agreed one in:\n" + "\n".join(wrong)
