"""The scorecards' rows written in Python (reports.scorecard_table) read as the template loop they
replaced: the same markup, text and escaping, in each language of the site."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from core.i18n import DisplayPrefs, display_override
from reports.scorecard_table import scorecard_rows_html
from reports.views import SCORE_COLUMNS
from tests.html_tokens import html_tokens as _tokens

# The template loop as it was before reports.scorecard_table (the reference), with the cell
# template it included (reports/partials/score_cell.html) written in place.
TEMPLATE = """{% load report_format %}{% for r in rows %}
    <tr><td class="strong" dir="auto">{{ r.label }}</td><td class="num">{{ r.now.accounts|num }}</td>
      {% for key, title, kind in columns %}
        {% with now=r.now prev=r.prev %}
        <td class="num">{% with v=now|get:key pv=prev|get:key %}{% fmt v kind %}<span class="prev">{% delta v pv kind key %}</span>{% endwith %}</td>
        {% endwith %}
      {% endfor %}
    </tr>{% endfor %}"""  # noqa: E501 - the template as it was


def _rows() -> list[dict]:
    full = {
        "accounts": 1234,
        "nrr": Decimal("1.0234"),
        "grr": 0.9512,
        "logo_churn_rate": 0.05,
        "renewal_rate": None,
        "nps": 42,
        "stickiness": 0.3333,
        "features_per_account": 4.25,
    }
    before = {**full, "accounts": 1200, "nrr": Decimal("0.98"), "logo_churn_rate": 0.07, "nps": 42,
              "stickiness": 0.4, "features_per_account": 12.5}  # fmt: skip
    return [
        {"key": 1, "label": "Ana <Ops> & Co", "now": full, "prev": before},
        {"key": 2, "label": "Dana", "now": {**full, "nps": -3.5, "grr": 1}, "prev": {}},
        {"key": None, "label": "بدون", "prev": before},  # no figures this period
        {
            "key": "Enterprise",
            "label": "Enterprise",
            "now": {**full, "features_per_account": 1234567.891},
            "prev": full,
        },
    ]


@pytest.mark.parametrize("language, digits", [("en", "western"), ("ar", "native"), ("fa", "native"), ("zh-hans", "")])
def test_rows_read_as_the_template_did(language, digits):
    # given rows covering each branch (no previous period, no current one, a None figure, no change,
    # a metric that is better lower, a label to escape)
    rows = _rows()
    with translation.override(language), display_override(DisplayPrefs(digits=digits or "western")):
        # when the rows are written by the template loop and by scorecard_rows_html
        expected = Template(TEMPLATE).render(Context({"rows": rows, "columns": SCORE_COLUMNS}))
        written = scorecard_rows_html(rows, SCORE_COLUMNS)
    # then the reader gets the same tags, attributes and text
    assert _tokens(written) == _tokens(expected)
    assert written.count("<tr>") == 4
    assert "Ana &lt;Ops&gt; &amp; Co" in written


def test_each_distinct_figure_is_formatted_once(monkeypatch):
    # given two rows with the same figures
    import reports.scorecard_table as module

    calls = []
    real_fmt = module.fmt

    def counting_fmt(value, kind):
        calls.append((value, kind))
        return real_fmt(value, kind)

    monkeypatch.setattr(module, "fmt", counting_fmt)
    row = _rows()[0]
    # when both rows are written
    html = scorecard_rows_html([row, {**row, "label": "Other"}], SCORE_COLUMNS)
    # then each column's figure was formatted once, and both rows show it
    assert len(calls) == len(SCORE_COLUMNS)
    assert html.count('<td class="num">102.3%<span class="prev">') == 2
