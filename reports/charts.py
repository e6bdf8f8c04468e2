"""Chart.js configurations built on the server (data + options as JSON); static/js/reports.js
draws every <canvas data-chart="id"> from the json_script element with that id."""

from decimal import Decimal

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
        ("New", _num(metrics["mrr_new"]), GREEN),
        ("Reactivation", _num(metrics["mrr_reactivation"]), GREEN),
        ("Expansion", _num(metrics["mrr_expansion"]), GREEN),
        ("Contraction", -_num(metrics["mrr_contraction"]), RED),
        ("Churn", -_num(metrics["mrr_churned"]), RED),
    ]
    labels, bars, colours = ["Start"], [[0, start]], [BRAND]
    level = start
    for label, delta, colour in steps:
        labels.append(label)
        bars.append([round(level, 2), round(level + delta, 2)])
        colours.append(colour)
        level += delta
    labels.append("End")
    bars.append([0, _num(metrics["mrr_end"])])
    colours.append(BRAND)
    return {
        "type": "bar",
        "data": {"labels": labels, "datasets": [{"label": "MRR", "data": bars, "backgroundColor": colours}]},
        "options": {"plugins": {"legend": {"display": False}}, "scales": {"y": {"beginAtZero": True}}},
    }


def mrr_line(series: list) -> dict:
    return {
        "type": "line",
        "data": {
            "labels": [
                f"{day:%b %d %Y}" if i == len(series) - 1 else f"{day:%b %Y}" for i, (day, _) in enumerate(series)
            ],
            "datasets": [
                {
                    "label": "MRR",
                    "data": [_num(v) for _, v in series],
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
        "options": {"plugins": {"legend": {"position": "right"}}, "cutout": "62%"},
    }


def band_trend(rows: list[dict]) -> dict | None:
    if not rows:
        return None
    return {
        "type": "bar",
        "data": {
            "labels": [f"{r['day']:%b %d}" for r in rows],
            "datasets": [
                {"label": band.title(), "data": [r[band] for r in rows], "backgroundColor": BAND_COLOURS[band]}
                for band in ("red", "yellow", "green")
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
                {"label": "MRR up for renewal", "data": [_num(r["mrr"]) for r in rows],
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
            "labels": [f"{r['month']:%b %Y}" for r in rows],
            "datasets": [
                {"label": "NPS", "data": [r.get("nps") for r in rows], "borderColor": BLUE, "spanGaps": True,
                 "tension": 0.25}
            ],
        },
        "options": {"plugins": {"legend": {"display": False}}, "scales": {"y": {"min": -100, "max": 100}}},
    }  # fmt: skip
