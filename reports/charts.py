"""Chart.js configurations built on the server (data + options as JSON); static/js/reports.js
draws every <canvas data-chart="id"> from the json_script element with that id."""

from decimal import Decimal

from django.utils.formats import date_format
from django.utils.translation import gettext as _

GREEN, YELLOW, RED, BRAND, GREY, BLUE = "#12b76a", "#f79009", "#f04438", "#4f46e5", "#98a2b3", "#2e90fa"
BAND_COLOURS = {"red": RED, "yellow": YELLOW, "green": GREEN, "none": "#d0d5dd"}


def _num(value) -> float:
    return float(value) if isinstance(value, Decimal) else float(value or 0)


def waterfall(metrics: dict) -> dict | None:
    """MRR movement: start -> new, reactivation, expansion, contraction, churn -> end, as floating bars."""
    if metrics.get("mrr_start") is None:
        return None
    start = _num(metrics["mrr_start"])
    steps = [
        (_("New"), _num(metrics["mrr_new"]), GREEN),
        (_("Reactivation"), _num(metrics["mrr_reactivation"]), GREEN),
        (_("Expansion"), _num(metrics["mrr_expansion"]), GREEN),
        (_("Contraction"), -_num(metrics["mrr_contraction"]), RED),
        (_("Churn"), -_num(metrics["mrr_churned"]), RED),
    ]
    labels, bars, colours = [_("Start")], [[0, start]], [BRAND]
    level = start
    for label, delta, colour in steps:
        labels.append(label)
        bars.append([round(level, 2), round(level + delta, 2)])
        colours.append(colour)
        level += delta
    labels.append(_("End"))
    bars.append([0, _num(metrics["mrr_end"])])
    colours.append(BRAND)
    return {
        "type": "bar",
        "data": {"labels": labels, "datasets": [{"label": _("MRR"), "data": bars, "backgroundColor": colours}]},
        "options": {"plugins": {"legend": {"display": False}}, "scales": {"y": {"beginAtZero": True}}},
    }


def mrr_line(series: list) -> dict:
    return {
        "type": "line",
        "data": {
            "labels": [
                date_format(day, "M d Y") if i == len(series) - 1 else date_format(day, "M Y")
                for i, (day, _value) in enumerate(series)
            ],
            "datasets": [
                {
                    "label": _("MRR"),
                    "data": [_num(v) for _day, v in series],
                    "borderColor": BRAND,
                    "backgroundColor": "rgba(79,70,229,.12)",
                    "fill": True,
                    "tension": 0.25,
                }
            ],
        },
        "options": {"plugins": {"legend": {"display": False}}, "scales": {"y": {"beginAtZero": True}}},
    }


def band_doughnut(rows: list[dict]) -> dict | None:
    if not any(r["accounts"] for r in rows):
        return None
    return {
        "type": "doughnut",
        "data": {
            "labels": [r["label"] for r in rows],
            "datasets": [
                {"data": [r["accounts"] for r in rows], "backgroundColor": [BAND_COLOURS[r["band"]] for r in rows]}
            ],
        },
        "options": {"plugins": {"legend": {"position": "right"}}, "cutout": "62%"},  # reports.js: "left" right to left
    }


def band_trend(rows: list[dict]) -> dict | None:
    if not rows:
        return None
    return {
        "type": "bar",
        "data": {
            "labels": [date_format(r["day"], "M d") for r in rows],
            "datasets": [
                {"label": str(label), "data": [r[band] for r in rows], "backgroundColor": BAND_COLOURS[band]}
                for band, label in (("red", _("Red")), ("yellow", _("Yellow")), ("green", _("Green")))
            ],
        },
        "options": {"scales": {"x": {"stacked": True}, "y": {"stacked": True, "beginAtZero": True}}},
    }


def renewals_bar(rows: list[dict]) -> dict | None:
    if not any(r["accounts"] for r in rows):
        return None
    return {
        "type": "bar",
        "data": {
            "labels": [r["label"] for r in rows],
            "datasets": [
                {"label": _("MRR up for renewal"), "data": [_num(r["mrr"]) for r in rows],
                 "backgroundColor": [BAND_COLOURS[r["band"]] for r in rows]}
            ],
        },
        "options": {"indexAxis": "y", "plugins": {"legend": {"display": False}}},
    }  # fmt: skip


def nps_line(rows: list[dict]) -> dict | None:
    if not any(r.get("nps") is not None for r in rows):
        return None
    return {
        "type": "line",
        "data": {
            "labels": [date_format(r["month"], "M Y") for r in rows],
            "datasets": [
                {"label": _("NPS"), "data": [r.get("nps") for r in rows], "borderColor": BLUE, "spanGaps": True,
                 "tension": 0.25}
            ],
        },
        "options": {"plugins": {"legend": {"display": False}}, "scales": {"y": {"min": -100, "max": 100}}},
    }  # fmt: skip
