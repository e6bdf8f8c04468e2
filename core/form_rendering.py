"""The project's form renderer (settings.FORM_RENDERER): Django's, with the select widget written
in Python (issue 22: the pages' server CPU).

Django renders a `<select>` as `django/forms/widgets/select.html`, which includes
`select_option.html` (and that `attrs.html`) once per option: a filter bar with a CSM list,
segments and tiers is a few hundred template includes, about a fifth of a report page's CPU
(the cohorts page), and every list page has such a bar. `select_html()` writes the same markup
from the same widget context in one pass: the same escaping and localisation as `{{ value }}`
(core.i18n_cache.value_html) and `|stringformat:'s'`. A context it cannot write the same way (a
widget with its own option template, a callable in the attributes) goes to the templates as
before. `tests/core/test_form_rendering.py` renders both ways in four languages and compares.
"""

from __future__ import annotations

from typing import Any

from django.forms.renderers import DjangoTemplates
from django.utils.html import escape
from django.utils.safestring import SafeData

from core.i18n_cache import value_html

__all__ = ["FormRenderer", "select_html"]

SELECT_TEMPLATE = "django/forms/widgets/select.html"
OPTION_TEMPLATE = "django/forms/widgets/select_option.html"


class FormRenderer(DjangoTemplates):
    """Django's template renderer; the select widget (Select, SelectMultiple, NullBooleanSelect
    and the model choice fields' selects) without a template per option."""

    def render(self, template_name, context, request=None):
        if template_name == SELECT_TEMPLATE:
            html = select_html(context["widget"])
            if html is not None:
                return html
        return super().render(template_name, context, request=request)


def _string(value: Any) -> str:
    """`{{ value|stringformat:'s' }}`: "%s" of the value, escaped unless it was safe."""
    text = "%s" % (str(value) if isinstance(value, tuple) else value)  # noqa: UP031 - the filter's own formatting
    return text if isinstance(value, SafeData) else escape(text)


def _attrs(attrs: dict) -> str | None:
    """`django/forms/widgets/attrs.html`, or None when the template would call a value."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        if callable(value):
            return None
        parts.append(f" {value_html(name)}" if value is True else f' {value_html(name)}="{_string(value)}"')
    return "".join(parts)


def select_html(widget: dict) -> str | None:
    """`select.html` for this widget context (as the renderer returns it: stripped), or None to
    leave it to the templates."""
    attrs = _attrs(widget["attrs"])
    if attrs is None:
        return None
    parts = [f'<select name="{value_html(widget["name"])}"{attrs}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{value_html(group_name)}">')
        for option in group_choices:
            option_attrs = _attrs(option["attrs"])
            label = option["label"]
            if option_attrs is None or option["template_name"] != OPTION_TEMPLATE or callable(label):
                return None
            parts.append(f'\n  <option value="{_string(option["value"])}"{option_attrs}>{value_html(label)}</option>\n')
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)
