"""Form widgets the account pages render often enough for their cost to matter.

`FastSelect` is Django's `Select` with the same markup as `django/forms/widgets/select.html`,
built in Python: the template renders one include (and one attrs include) per option, which on
the account 360 page's "add to timeline" contact picker (every contact of the account) cost
about 6 ms of the page's ~110 ms (issue 23, docs/perf/pages.md)."""

from django import forms
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe


def _attrs(attrs: dict) -> str:
    """As django/forms/widgets/attrs.html: `False` drops the attribute, `True` leaves it bare."""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        out.append(f" {name}" if value is True else f' {name}="{conditional_escape(str(value))}"')
    return "".join(out)


class FastSelect(forms.Select):
    """A `Select` whose options are rendered without a template per option (same markup)."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
            for option in options:
                parts.append(
                    f'\n  <option value="{conditional_escape(str(option["value"]))}"{_attrs(option["attrs"])}>'
                    f"{conditional_escape(option['label'])}</option>"
                )
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # noqa: S308 - every piece above is escaped
