"""Recomputing theme tags in the background, with progress the report polls.

`themes_recompute_request()` (the report's "Recompute") stores a run in the cache and starts
`themes_compute_task` through core.background: a worker, or in the embedded mode a thread of
the web process, so the request returns at once in every mode. The task writes its stage and
how many comments it has embedded into the same cache entry; the report's themes card polls it
every second while the run is under way and shows the new themes when it is done.

Each run has a token: the task works only while the entry still holds its token and is not
finished, so a task delivered twice computes once; a run with no progress for STALL_SECONDS
(its worker or process died) may be started again by the next request.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass, field
from datetime import datetime

from django.core.cache import cache
from django.utils import timezone

__all__ = ["STALL_SECONDS", "ThemeRun", "themes_recompute_request", "themes_run_execute", "themes_run_state"]

CACHE_KEY = "surveys:themes:run"
CACHE_SECONDS = 24 * 3600
STALL_SECONDS = 300


@dataclass
class ThemeRun:
    run: str
    status: str = "queued"  # queued, embedding, grouping, saving, done, failed
    done: int = 0
    total: int = 0
    themes: int | None = None
    error: str = ""
    started_at: datetime = field(default_factory=timezone.now)
    updated_at: datetime = field(default_factory=timezone.now)

    @property
    def finished(self) -> bool:
        return self.status in ("done", "failed")

    @property
    def percent(self) -> int:
        if self.status in ("grouping", "saving", "done"):
            return 100
        return int(100 * self.done / self.total) if self.total else 0

    def stalled(self, now: datetime) -> bool:
        return not self.finished and (now - self.updated_at).total_seconds() > STALL_SECONDS


def themes_run_state() -> ThemeRun | None:
    """The current or last run (one cache read), or None."""
    data = cache.get(CACHE_KEY)
    return ThemeRun(**data) if isinstance(data, dict) else None


def _store(state: ThemeRun) -> None:
    cache.set(CACHE_KEY, asdict(state), CACHE_SECONDS)


def themes_recompute_request(*, now: datetime | None = None) -> ThemeRun:
    """The run under way, or a new one started after commit. Cheap: a cache read and write."""
    from core.background import run_in_background

    from .tasks import themes_compute_task

    now = now or timezone.now()
    state = themes_run_state()
    if state is not None and not state.finished and not state.stalled(now):
        return state
    state = ThemeRun(run=uuid.uuid4().hex, started_at=now, updated_at=now)
    _store(state)
    run_in_background(themes_compute_task, args=[state.run])
    return state


def themes_run_execute(*, run: str | None) -> int | None:
    """The task's work: recompute the themes for run `run`, storing progress as it goes.
    Returns the number of themes, or None when `run` is not the current unfinished run (a
    duplicate delivery, or a run replaced after a stall). `run=None` (beat, the command line)
    computes without a progress entry."""
    from .themes import themes_compute

    if run is None:
        return themes_compute()
    state = themes_run_state()
    if state is None or state.run != run or state.finished:
        return None

    def progress(stage: str, done: int, total: int) -> None:
        current = themes_run_state()
        if current is not None and current.run != run:
            raise RunReplaced
        state.status, state.done, state.total, state.updated_at = stage, done, total, timezone.now()
        _store(state)

    try:
        progress("embedding", 0, 0)
        count = themes_compute(progress=progress)
    except RunReplaced:
        return None
    except Exception as exc:
        state.status, state.error, state.updated_at = "failed", str(exc)[:300], timezone.now()
        _store(state)
        raise
    state.status, state.themes, state.updated_at = "done", count, timezone.now()
    _store(state)
    return count


class RunReplaced(Exception):
    """Another run took over (this one had stalled): stop without writing."""
