"""The report's theme tags on demand: a recompute started in the background (the work is
`surveys.themes.themes_compute`, its progress `surveys.theme_runs`; never in a request)."""

from ..theme_runs import ThemeRun, themes_recompute_request

__all__ = ["themes_recompute_queue"]


def themes_recompute_queue() -> ThemeRun:
    """Start a recompute of every theme tag after commit (or return the one under way)."""
    return themes_recompute_request()
