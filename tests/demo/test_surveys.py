"""The surveys demo step: deliveries, their answers (one per answered delivery, keyed by it)
and the recent fatigue touches, written by COPY on PostgreSQL and bulk_create elsewhere."""

from datetime import UTC, datetime, time, timedelta

import pytest
from django.core.management import call_command
from django.db.models import Count, F
from django.utils import timezone

from surveys.choices import DeliveryStatus
from surveys.models import FatigueTouch, SurveyDelivery, SurveyResponse

pytestmark = pytest.mark.django_db


def test_demo_answers_match_their_deliveries():
    call_command("seed_demo", accounts=60, seed=5, only=["surveys"], verbosity=0)
    answered = SurveyDelivery.objects.filter(status=DeliveryStatus.ANSWERED)
    assert SurveyDelivery.objects.count() > 200 and answered.count() > 50
    assert SurveyResponse.objects.count() == answered.count()
    mismatched = SurveyResponse.objects.exclude(
        delivery__account_id=F("account_id"),
        delivery__contact_id=F("contact_id"),
        delivery__survey_id=F("survey_id"),
        delivery__answered_at=F("submitted_at"),
    )
    assert not mismatched.exists()
    for key, delivery_id in SurveyResponse.objects.values_list("dedupe_key", "delivery_id")[:50]:
        assert key == f"d:{delivery_id}"
    nps = SurveyResponse.objects.filter(kind="nps").values_list("answers", flat=True)
    assert all(set(a) == {"q1"} for a in nps)
    recent = datetime.combine(timezone.now().date(), time(12), tzinfo=UTC) - timedelta(days=100)
    assert FatigueTouch.objects.count() == SurveyDelivery.objects.filter(sent_at__gt=recent).count() > 0
    kinds = dict(FatigueTouch.objects.values_list("kind").annotate(n=Count("id")).order_by())
    assert set(kinds) <= {"asked", "answered"} and kinds


def test_copy_text_writes_what_psycopg_write_row_writes():
    """PostgreSQL: the step formats COPY's text itself; the stored rows equal those of
    psycopg's own write_row, tricky values included."""
    from django.db import connection

    from demo.sql import rows_insert

    if connection.vendor != "postgresql":
        pytest.skip("COPY is PostgreSQL's")
    call_command("seed_demo", accounts=3, seed=5, only=["surveys"], verbosity=0)
    delivery = SurveyDelivery.objects.first()
    at = datetime(2024, 2, 29, 23, 59, 58, 123456, tzinfo=UTC)
    comments = ["tab\there", "new\nline\r\n", "back\\slash \\N", "", "\u0627\u0644\u062f\u0639\u0645 \u00e9\u4e2d", "t"]
    answers = [{"q1": "a\tb\\c\n\u00e9"}, {}, {"n": [1, None, True]}, {"x": "\\u0000 not a nul"}, {}, {"q": ""}]
    fields = ["survey_id", "delivery_id", "kind", "account_id", "contact_id", "score", "comment", "language"]
    fields += ["channel", "submitted_at", "dedupe_key", "followup_pending", "followup_count", "created_at"]
    fields += ["updated_at", "answers"]

    def rows(prefix):
        return [
            (delivery.survey_id, None, "nps", delivery.account_id, None if i % 2 else delivery.contact_id, i, c,
             "en", "link", at + timedelta(days=i), f"{prefix}{i}", bool(i % 2), i, at, at, a)
            for i, (c, a) in enumerate(zip(comments, answers, strict=True))
        ]  # fmt: skip

    # when: one batch through the step's writer, one through psycopg's write_row
    rows_insert(SurveyResponse, fields, rows("ours:"))
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {SurveyResponse._meta.db_table} ({', '.join(fields)}) FROM STDIN") as copy,
    ):
        import json

        for row in rows("psycopg:"):
            copy.write_row((*row[:-1], json.dumps(row[-1])))

    # then
    def stored(prefix):
        out = []
        for row in SurveyResponse.objects.filter(dedupe_key__startswith=prefix).order_by("score").values(*fields):
            row["dedupe_key"] = row["dedupe_key"].removeprefix(prefix)
            out.append(row)
        return out

    ours = stored("ours:")
    assert len(ours) == len(comments) and ours == stored("psycopg:")
    assert [r["comment"] for r in ours] == comments and [r["answers"] for r in ours] == answers


def test_a_fresh_seed_puts_the_survey_tables_keys_back():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the keys are only dropped on PostgreSQL")
    tables = [m._meta.db_table for m in (SurveyDelivery, SurveyResponse, FatigueTouch)]

    def keys():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT conrelid::regclass::text, conname FROM pg_constraint WHERE conrelid = ANY(%s::regclass[]) "
                "UNION ALL SELECT indrelid::regclass::text, indexrelid::regclass::text FROM pg_index "
                "WHERE indrelid = ANY(%s::regclass[]) ORDER BY 1, 2",
                [tables, tables],
            )
            return cursor.fetchall()

    before = keys()
    call_command("seed_demo", accounts=20, seed=5, only=["surveys"], verbosity=0)
    assert SurveyResponse.objects.exists()
    assert keys() == before and any("fk" in name for _, name in before)
