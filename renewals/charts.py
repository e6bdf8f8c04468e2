"""Chart.js configurations of the forecast page (drawn by static/js/reports.js)."""

from django.utils.translation import gettext as _

GREEN, BRAND, GREY, BLUE, YELLOW = "#12b76a", "#4f46e5", "#98a2b3", "#2e90fa", "#f79009"


def _f(value) -> float:
    return float(value or 0)


def quarters_chart(quarters: list[dict]) -> dict | None:
    if not any(q["up_for_renewal_arr"] for q in quarters):
        return None
    labels = [q["label"] for q in quarters]
    return {
        "type": "bar",
        "data": {
            "labels": labels,
            "datasets": [
                {
                    "label": _("Up for renewal"),
                    "data": [_f(q["up_for_renewal_arr"]) for q in quarters],
                    "backgroundColor": GREY,
                },
                {"label": _("Expected"), "data": [_f(q["expected_arr"]) for q in quarters], "backgroundColor": BRAND},
                {"label": _("Best case"), "data": [_f(q["best_case_arr"]) for q in quarters], "backgroundColor": BLUE},
                {"label": _("Committed"), "data": [_f(q["committed_arr"]) for q in quarters], "backgroundColor": GREEN},
            ],
        },
        "options": {"plugins": {"legend": {"position": "bottom"}}, "scales": {"y": {"beginAtZero": True}}},
    }


def accuracy_chart(rows: list[dict]) -> dict | None:
    if not rows:
        return None
    return {
        "type": "bar",
        "data": {
            "labels": [r["label"] for r in rows],
            "datasets": [
                {
                    "label": _("Expected at the quarter's start"),
                    "data": [_f(r["expected_arr"]) for r in rows],
                    "backgroundColor": BRAND,
                },
                {"label": _("Actually renewed"), "data": [_f(r["actual_arr"]) for r in rows], "backgroundColor": GREEN},
                {
                    "label": _("Naive: last year's rate"),
                    "data": [_f(r["naive_arr"]) for r in rows],
                    "backgroundColor": YELLOW,
                },
            ],
        },
        "options": {"plugins": {"legend": {"position": "bottom"}}, "scales": {"y": {"beginAtZero": True}}},
    }
