"""Recording an answer: one INSERT ... ON CONFLICT (dedupe_key) statement for every channel
(widget, e-mail, public link), so a repeated answer changes the first instead of adding one and
the public endpoints stay cheap. Everything that follows an answer runs after commit in the
follow-up sweep (`surveys.services.followup`).
"""

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from ..choices import CATEGORY_GROUP, score_category
from ..models import SurveyResponse
from ..sql import answer_cursor, json_placeholder
from .followup import followup_soon

__all__ = ["Recorded", "edit_window", "response_upsert"]


def edit_window() -> timedelta:
    """How long a widget answer can still be changed with the same token (score, then comment)."""
    return timedelta(minutes=int(getattr(settings, "SURVEYS_EDIT_MINUTES", 60)))


@dataclass(frozen=True)
class Recorded:
    response_id: int
    created: bool
    kind: str
    score: int

    @property
    def category(self) -> str:
        return score_category(self.kind, self.score)

    @property
    def group(self) -> str:
        return CATEGORY_GROUP[self.category]


def response_upsert(
    *,
    dedupe_key: str,
    kind: str,
    score: int,
    channel: str,
    comment: str = "",
    answers: dict | None = None,
    language: str = "en",
    survey_id: int | None = None,
    delivery_id: int | None = None,
    account_id: int | None = None,
    contact_id: int | None = None,
    submitted_at: datetime | None = None,
    locked_after: timedelta | None = None,
    insert_only: bool = False,
    now: datetime | None = None,
) -> Recorded | None:
    """Insert the answer, or change the score (and comment / follow-ups when given) of the one
    with the same `dedupe_key`, in one statement. With `locked_after`, an answer older than that
    is left alone and None is returned (a replayed token); with `insert_only`, any existing
    answer is left alone and None is returned (an email's one-click link after the first click).
    Values must already be validated. Queues `response_followup_task` after commit."""
    now = now or timezone.now()
    table = SurveyResponse._meta.db_table
    adapt = connection.ops.adapt_datetimefield_value
    json_ph = json_placeholder()
    columns = (
        "survey_id, delivery_id, kind, account_id, contact_id, score, comment, answers, language, channel, "
        "submitted_at, dedupe_key, created_at, updated_at, followup_pending, followup_count"
    )
    sets = [
        "score = excluded.score",
        "updated_at = excluded.updated_at",
        "followup_pending = excluded.followup_pending",
    ]
    if comment:
        sets.append("comment = excluded.comment")
    if answers:
        sets.append("answers = excluded.answers")
    conflict = "DO NOTHING" if insert_only else f"DO UPDATE SET {', '.join(sets)}"
    sql = (
        f"INSERT INTO {table} ({columns}) "
        f"VALUES (%s, %s, %s, %s, %s, %s, %s, {json_ph}, %s, %s, %s, %s, %s, %s, %s, 0) "
        f"ON CONFLICT (dedupe_key) {conflict}"
    )
    params = [
        survey_id,
        delivery_id,
        kind,
        account_id,
        contact_id,
        score,
        comment or "",
        json.dumps(answers or {}),
        (language or "en")[:8],
        channel,
        adapt(submitted_at or now),
        dedupe_key,
        adapt(now),
        adapt(now),
        True,
    ]
    if locked_after is not None and not insert_only:
        sql += f" WHERE {table}.created_at > %s"
        params.append(adapt(now - locked_after))
    sql += " RETURNING id, (created_at = updated_at)"
    with answer_cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    transaction.on_commit(followup_soon)
    return Recorded(response_id=row[0], created=bool(row[1]), kind=kind, score=score)
