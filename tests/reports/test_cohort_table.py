"""The cohorts heatmap rows written in Python (reports.cohort_table) read as the template loop
they replaced: the same markup, text and escaping, in each language of the site."""

from datetime import date
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from core.i18n import DisplayPrefs, display_override
from reports.cohort_table import cohort_rows
from tests.html_tokens import html_tokens as _tokens

# The template loop as it was before reports.cohort_table (the reference).
TEMPLATE = """{% load i18n report_format %}{% for r in rows %}
<tr><td class="strong">{{ r.cohort|date:"M Y" }}</td><td class="num">{{ r.size }}</td><td class="num">{{ r.start_mrr|money }}</td>
<td class="num" title="{% blocktranslate with reached=r.ttfv.reached|default:0 total=r.ttfv.accounts|default:0 %}{{ reached }} of {{ total }} reached first value{% endblocktranslate %}">{% if r.ttfv.median_days is not None %}{% blocktranslate with n=r.ttfv.median_days|floatformat:"-1" %}{{ n }} d{% endblocktranslate %}{% else %}—{% endif %}</td>
{% for c in r.cells %}
  {% if c %}<td class="cell" style="{{ c.value|heat }}" title="{% blocktranslate with day=c.day|date:'d M Y' active=c.active mrr=c.mrr|money %}{{ day }}: {{ active }} active, MRR {{ mrr }}{% endblocktranslate %}">{{ c.value|pct:0 }}</td>
  {% else %}<td class="cell na"></td>{% endif %}
{% endfor %}</tr>{% endfor %}"""  # noqa: E501 - the template as it was


def _rows() -> list[dict]:
    def cell(day, value, active, mrr):
        return {"day": day, "value": value, "active": active, "mrr": Decimal(mrr)}

    return [
        {
            "cohort": date(2026, 1, 1),
            "size": 1234,
            "start_mrr": Decimal("19769.40"),
            "ttfv": {"accounts": 7, "reached": 5, "median_days": 12.5},
            "cells": [cell(date(2026, 2, 1), 1.0, 7, "19771"), cell(date(2026, 3, 1), 0.8571, 6, "0.5")],
        },
        {
            "cohort": date(2026, 2, 1),
            "size": 5,
            "start_mrr": Decimal("0"),
            "ttfv": None,
            "cells": [cell(date(2026, 3, 1), 1.2, 5, "5187"), None],
        },
        {
            "cohort": date(2026, 3, 1),
            "size": 0,
            "start_mrr": None,
            "ttfv": {"accounts": 3, "reached": 0, "median_days": None},
            "cells": [None, None],
        },
        {
            "cohort": date(2026, 4, 1),
            "size": 2,
            "start_mrr": Decimal("10"),
            "ttfv": {"accounts": 2, "reached": 2, "median_days": 40.0},
            "cells": [cell(date(2026, 5, 1), 0.0, 0, "0"), None],
        },
    ]


@pytest.mark.parametrize("language, digits", [("en", "western"), ("ar", "native"), ("fa", "native"), ("zh-hans", "")])
def test_rows_read_as_the_template_did(language, digits):
    # given cohorts covering each branch (no TTFV, no median, empty cells, a zero retention)
    rows = _rows()
    with translation.override(language), display_override(DisplayPrefs(digits=digits or "western")):
        # when the rows are written by the template loop and by cohort_rows
        expected = Template(TEMPLATE).render(Context({"rows": rows}))
        written = cohort_rows(rows)
    # then the reader gets the same tags, attributes and text
    assert _tokens(written) == _tokens(expected)
    assert written.count("<tr>") == 4
