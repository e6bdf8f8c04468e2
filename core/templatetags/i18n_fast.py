"""Django's `i18n` template library with `{% translate %}` and `{% blocktranslate %}` that do their
fixed work once (issue 22's page CPU). Settings map the library name `i18n` here
(TEMPLATES OPTIONS "libraries"), so `{% load i18n %}` in every template gets these tags.

`{% translate "Done" %}` inside a table row ran Django's whole path in every row: resolve the
literal, look it up in the catalogue, localise and escape the result (~8 µs); a task inbox of 50
rows does it ~700 times. Here a translate tag whose text is a literal without filters keeps its
rendered text per language: the same string Django renders, looked up once per language and
process. `{% blocktranslate %}` builds its message id from the tag's tokens once (Django rebuilds
it on every render) and keeps the catalogue's answer per language when it has no plural and no
variable context; the variables are still resolved, escaped and put in on every render.

What is kept is checked against the active translation object, so a reloaded catalogue
(tests that change LOCALE_PATHS or LANGUAGES) is looked up afresh; with translations
deactivated (`translation.override(None)`), nothing is kept.
"""

from __future__ import annotations

from django import template
from django.templatetags import i18n as django_i18n
from django.utils import translation
from django.utils.safestring import SafeString
from django.utils.translation import trans_real

register = template.Library()
register.tags.update(django_i18n.register.tags)
register.filters.update(django_i18n.register.filters)


def _catalogue():
    """(language, translation object) of the thread's active catalogue; None when it is not a
    project catalogue (deactivated: the msgids are shown untranslated)."""
    active = getattr(trans_real._active, "value", None)
    if active is None:
        active = trans_real.translation(translation.get_language())
    if not isinstance(active, trans_real.DjangoTranslation):
        return None
    return active


class FixedTranslateNode(django_i18n.TranslateNode):
    """`{% translate "literal" [context "literal"] [as name] %}`: the rendered text per
    (catalogue, autoescape), computed by Django's own render the first time."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._kept: dict[tuple[str, bool], tuple[object, str]] = {}

    def render(self, context):
        catalogue = _catalogue()
        if catalogue is None:
            return super().render(context)
        key = (catalogue.to_language(), context.autoescape)
        kept = self._kept.get(key)
        if kept is None or kept[0] is not catalogue:
            asvar, self.asvar = self.asvar, None
            try:
                value = super().render(context)
            finally:
                self.asvar = asvar
            kept = (catalogue, value)
            self._kept[key] = kept
        value = kept[1]
        if self.asvar:
            context[self.asvar] = value
            return ""
        return value


def _fixed(node: django_i18n.TranslateNode) -> bool:
    expression = node.filter_expression
    literal = getattr(expression.var, "literal", None)
    if expression.filters or node.noop or not isinstance(literal, str):
        return False
    context = node.message_context
    return context is None or (not context.is_var and not context.filters)


@register.tag("translate")
@register.tag("trans")
def do_translate(parser, token):
    node = django_i18n.do_translate(parser, token)
    if not _fixed(node):
        return node
    return FixedTranslateNode(node.filter_expression, node.noop, node.asvar, node.message_context)


class BlockTranslateNode(django_i18n.BlockTranslateNode):
    """Django's node with the message id built once, and (no plural, no context) the catalogue's
    answer kept per language."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._singular = super().render_token_list(self.singular)
        self._plural = super().render_token_list(self.plural) if self.plural else None
        self._kept: dict[str, tuple[object, str]] = {}

    def render_token_list(self, tokens):
        if tokens is self.singular:
            msg, names = self._singular
        elif self._plural is not None and tokens is self.plural:
            msg, names = self._plural
        else:
            return super().render_token_list(tokens)
        return msg, list(names)

    def render(self, context, nested=False):
        if nested or self.message_context or (self.plural and self.countervar and self.counter):
            return super().render(context, nested)
        catalogue = _catalogue()
        if catalogue is None:
            return super().render(context, nested)
        language = catalogue.to_language()
        kept = self._kept.get(language)
        msg, names = self._singular
        if kept is None or kept[0] is not catalogue:
            kept = (catalogue, translation.gettext(msg))
            self._kept[language] = kept
        result = kept[1]
        context.update({var: val.resolve(context) for var, val in self.extra_context.items()})
        default_value = context.template.engine.string_if_invalid
        data = {}
        for name in names:
            if name in context:
                value = context[name]
            else:
                value = default_value % name if "%s" in default_value else default_value
            data[name] = template.base.render_value_in_context(value, context)
        context.pop()
        try:
            result %= data
        except (KeyError, ValueError):
            with translation.override(None):
                result = super().render(context, nested=True)
        if self.asvar:
            context[self.asvar] = SafeString(result)
            return ""
        return result


@register.tag("blocktranslate")
@register.tag("blocktrans")
def do_block_translate(parser, token):
    node = django_i18n.do_block_translate(parser, token)
    return BlockTranslateNode(
        node.extra_context,
        node.singular,
        node.plural,
        countervar=node.countervar,
        counter=node.counter,
        message_context=node.message_context,
        trimmed=node.trimmed,
        asvar=node.asvar,
        tag_name=node.tag_name,
    )


__all__ = ["BlockTranslateNode", "FixedTranslateNode", "register"]
