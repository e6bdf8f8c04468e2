"""core.templatetags.i18n_fast: `{% load i18n %}` renders what Django's own library renders, in
every language, while keeping the fixed text of a translate tag per language."""

import pytest
from django.template import Context, Engine, engines
from django.utils import translation

from core.templatetags.i18n_fast import BlockTranslateNode, FixedTranslateNode

TEMPLATES = [
    "{% translate 'Done' %}",
    "{% translate 'Done' as done %}[{{ done }}]",
    "{% translate 'Snooze' %}|{% translate 'Done'|upper %}",
    "{% translate word %}",
    "{% translate 'May' context 'month name' %}",
    "{% translate '50% <b>off</b> & more' %}",
    "{% blocktranslate with n=count %}Show {{ n }} more{% endblocktranslate %}",
    "{% blocktranslate %}Show {{ count }} more{% endblocktranslate %}",
    "{% blocktranslate with n=markup %}Show {{ n }} more{% endblocktranslate %}",
    "{% blocktranslate count n=count %}{{ n }} day{% plural %}{{ n }} days{% endblocktranslate %}",
    "{% blocktranslate with n=count asvar shown %}Show {{ n }} more{% endblocktranslate %}<{{ shown }}>",
    "{% blocktranslate trimmed with n=count %}\n  Show {{ n }}\n  more\n{% endblocktranslate %}",
    "{% blocktranslate with name=markup %}100% by {{ name }}{% endblocktranslate %}",
    "{% autoescape off %}{% translate '<i>Done</i>' %}"
    "{% blocktranslate %}x {{ markup }}{% endblocktranslate %}{% endautoescape %}",
]
CONTEXT = {"word": "Snooze", "count": 3, "markup": "<script>"}


def _template(library: str, source: str):
    return Engine(libraries={"i18n": library}).from_string("{% load i18n %}" + source)


def _render(template, language: str | None) -> str:
    with translation.override(language):
        return template.render(Context(CONTEXT))


@pytest.mark.parametrize("source", TEMPLATES)
def test_renders_what_djangos_library_renders_in_every_language(source):
    # given the same template parsed with Django's i18n library and with the fast one
    django_template = _template("django.templatetags.i18n", source)
    fast_template = _template("core.templatetags.i18n_fast", source)
    # when both render in one language after another (the fast one reusing what it kept)
    for language in ["en", "ar", "fa", "zh-hans", "en", "ar", None, "fa"]:
        # then the text is the same
        assert _render(fast_template, language) == _render(django_template, language), (language, source)


def test_a_node_keeps_its_text_per_language_and_follows_the_active_one():
    # given one parsed template rendered in several languages in turn
    engine = Engine(libraries={"i18n": "core.templatetags.i18n_fast"})
    template = engine.from_string(
        "{% load i18n %}{% translate 'Done' %}/{% blocktranslate %}Show {{ count }} more{% endblocktranslate %}"
    )
    assert any(isinstance(node, FixedTranslateNode) for node in template.nodelist)
    assert any(isinstance(node, BlockTranslateNode) for node in template.nodelist)
    seen = {}
    for language in ["en", "ar", "zh-hans", "en", "ar", "fa"]:
        with translation.override(language):
            seen.setdefault(language, set()).add(template.render(Context(CONTEXT)))
    # then each language renders its own text, the same every time
    assert all(len(texts) == 1 for texts in seen.values())
    assert seen["en"] == {"Done/Show 3 more"}
    assert seen["ar"] != seen["en"] and seen["fa"] != seen["en"] and seen["ar"] != seen["fa"]
    # and with translations deactivated, the msgids
    with translation.override(None):
        assert template.render(Context(CONTEXT)) == "Done/Show 3 more"


def test_the_site_loads_the_fast_library_as_i18n():
    template = engines["django"].from_string("{% load i18n %}{% translate 'Done' %}")
    assert isinstance(template.template.nodelist[-1], FixedTranslateNode)
