"""Writes for surveys: recording answers (every channel), the widget's eligibility check,
sending survey emails, and the follow-up of an answer (health, playbooks, webhooks).

The answer itself is one INSERT ... ON CONFLICT (dedupe_key) statement (`response_upsert`), so
a repeated answer changes the first instead of adding one and the public endpoints stay cheap;
everything that follows an answer runs after commit in `response_followup_task` (Celery).
"""

import hashlib
import json
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import get_connection
from django.db import connection, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from .choices import (
    CATEGORY_GROUP,
    SCORE_RANGE,
    Channel,
    DeliveryStatus,
    QuestionType,
    SurveyKind,
    TouchKind,
    TriggerType,
    score_category,
)
from .fatigue import fatigue_allowed_contact_ids, fatigue_record, fatigue_record_many
from .models import Survey, SurveyDelivery, SurveyResponse, SurveyWorkspace
from .signals import response_recorded
from .tokens import TokenError, make_token, read_token
from .wording import survey_language

__all__ = [
    "AlreadyAnswered",
    "IdentityInvalid",
    "MAX_COMMENT",
    "delivery_dismiss",
    "email_answer",
    "link_answer",
    "followup_soon",
    "responses_followup",
    "response_upsert",
    "response_validate",
    "survey_audience_contact_ids",
    "survey_link_for_contact",
    "survey_send",
    "widget_answer",
    "widget_eligibility",
]

MAX_COMMENT = 5000
_KINDS = frozenset(SurveyKind.values)
MAX_ANSWER_TEXT = 1000
MAX_ANSWERS = 20


class IdentityInvalid(Exception):
    """The widget's user id and HMAC signature do not match (forged or for another user)."""


class AlreadyAnswered(Exception):
    """The delivery's answer can no longer be changed (edit window over, or it was dismissed)."""


def edit_window() -> timedelta:
    """How long a widget answer can still be changed with the same token (score, then comment)."""
    return timedelta(minutes=int(getattr(settings, "SURVEYS_EDIT_MINUTES", 60)))


# Section: validation


def response_validate(
    *, kind: str, score, comment: str | None = "", answers: dict | None = None, follow_ups: list | None = None
) -> tuple[int, str, dict]:
    """Range and size checks. Raises ValidationError({field: [reason]})."""
    errors: dict[str, list[str]] = {}
    if kind not in _KINDS:
        errors["kind"] = [f"must be one of {', '.join(SurveyKind.values)}"]
        raise ValidationError(errors)
    low, high = SCORE_RANGE[SurveyKind(kind)]
    value = None
    try:
        if isinstance(score, bool) or score is None or str(score).strip() == "":
            raise ValueError
        value = int(str(score).strip())
    except (TypeError, ValueError):
        errors["score"] = ["must be a whole number"]
    if value is not None and not low <= value <= high:
        errors["score"] = [f"must be between {low} and {high} for {kind}"]
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        errors["comment"] = [f"at most {MAX_COMMENT} characters"]
    clean_answers: dict = {}
    if answers:
        if not isinstance(answers, dict) or len(answers) > MAX_ANSWERS:
            errors["answers"] = [f"must be an object with at most {MAX_ANSWERS} entries"]
        else:
            questions = {q["id"]: q for q in (follow_ups or [])}
            for qid, answer in answers.items():
                question = questions.get(qid)
                if question is None:
                    errors.setdefault("answers", []).append(f"{qid}: unknown question")
                    continue
                problem, cleaned = _check_answer(question, answer)
                if problem:
                    errors.setdefault("answers", []).append(f"{qid}: {problem}")
                elif cleaned not in ("", []):
                    clean_answers[qid] = cleaned
    if errors:
        raise ValidationError(errors)
    return value, comment, clean_answers


def _check_answer(question: dict, answer) -> tuple[str, object]:
    options = question.get("options") or []
    if question["type"] == QuestionType.TEXT:
        if not isinstance(answer, str):
            return "must be text", None
        if len(answer) > MAX_ANSWER_TEXT:
            return f"at most {MAX_ANSWER_TEXT} characters", None
        return "", answer.strip()
    if question["type"] == QuestionType.SINGLE:
        if answer in ("", None):
            return "", ""
        if answer not in options:
            return "not one of the choices", None
        return "", answer
    chosen = answer if isinstance(answer, list) else [answer]
    if any(a not in options for a in chosen) or len(chosen) > len(options):
        return "not among the choices", None
    return "", list(dict.fromkeys(chosen))


# Section: recording


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
    json_ph = "%s::jsonb" if connection.vendor == "postgresql" else "%s"
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
    with _prepared_cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    transaction.on_commit(followup_soon)
    return Recorded(response_id=row[0], created=bool(row[1]), kind=kind, score=score)


_PreparedCursor = None


def _prepared_cursor():
    """A cursor for the answer's statement. On PostgreSQL its parameters are bound server-side
    and the statement is prepared once per connection and shape (a handful: with or without
    comment, answers, edit window), so psycopg does not quote fifteen values into SQL text and
    PostgreSQL does not parse and plan the INSERT again for every answer. Django's wrapper is
    kept (error translation, execute wrappers). Elsewhere, and while queries are logged (DEBUG,
    CaptureQueriesContext: the log shows the SQL with its values), the usual cursor."""
    global _PreparedCursor
    if connection.vendor != "postgresql" or connection.queries_logged:
        return connection.cursor()
    if _PreparedCursor is None:
        from django.db.backends.postgresql.base import ServerBindingCursor

        class _PreparedCursor(ServerBindingCursor):
            def execute(self, query, params=None, *, prepare=True, binary=None):
                return super().execute(query, params, prepare=prepare, binary=binary)

    connection.validate_thread_sharing()
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    raw = connection.connection
    if raw.prepare_threshold is None:
        # Django turns psycopg's automatic preparing off, which refuses prepare=True too. A
        # threshold nothing reaches allows the explicit one and changes nothing else (Django's
        # own cursors bind client-side and never prepare).
        raw.prepare_threshold = 2**31 - 1
    with connection.wrap_database_errors:
        return connection.make_cursor(_PreparedCursor(raw))


FOLLOWUP_KEY = "surveys:followup:queued"
FOLLOWUP_DELAY_SECONDS = 2
FOLLOWUP_BATCH = 200
_followup_checked_at = 0.0  # this process asked Redis at most once a second
_celery_conf = None


def followup_soon() -> None:
    """Queue one sweep of pending answers in a couple of seconds, however many answers arrive
    meanwhile: at most one Redis SET NX per second and process instead of a Celery message per
    answer. The sweep clears the key when it starts, so a later answer queues the next one; the
    beat entry "survey-answers-followup" sweeps every minute, which covers an answer that fell
    between a sweep's start and this process's next check. Inline in the embedded (eager) mode."""
    global _followup_checked_at, _celery_conf
    from .tasks import responses_followup_task

    if _celery_conf is None:
        from celery import current_app

        _celery_conf = current_app.conf  # the app's settings object (current_app is a proxy)
    if _celery_conf.task_always_eager:
        responses_followup_task.delay()
        return
    now = time.monotonic()
    if now - _followup_checked_at < 1.0:
        return
    _followup_checked_at = now
    from django.core.cache import cache

    if cache.add(FOLLOWUP_KEY, 1, timeout=60):
        responses_followup_task.apply_async(countdown=FOLLOWUP_DELAY_SECONDS)


def responses_followup(*, batch: int = FOLLOWUP_BATCH) -> int:
    """Follow up every pending answer, in chunks, each chunk in one transaction with its rows
    locked (SKIP LOCKED: two workers share the work). Idempotent: a row stops being pending in
    the same transaction that did its follow-up. Returns the number of answers followed up."""
    from .rollups import survey_days_refresh, survey_days_top_up

    done = 0
    touched: set = set()  # the report's days these answers (and their deliveries) fall on
    while True:
        with transaction.atomic():
            rows = list(
                SurveyResponse.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(followup_pending=True)
                .select_related("contact", "account")
                .order_by("id")[:batch]
            )
            if not rows:
                break
            for response in rows:
                _followup_one(response)
            SurveyResponse.objects.filter(id__in=[r.id for r in rows]).update(
                followup_pending=False, followup_count=F("followup_count") + 1
            )
        touched.update(r.submitted_at.astimezone(UTC).date() for r in rows)
        delivery_ids = [r.delivery_id for r in rows if r.delivery_id]
        if delivery_ids:
            sent = SurveyDelivery.objects.filter(id__in=delivery_ids).values_list("sent_at", flat=True)
            touched.update(at.astimezone(UTC).date() for at in sent)
        done += len(rows)
    survey_days_refresh(days=touched)
    survey_days_top_up()
    return done


def _followup_one(response: SurveyResponse) -> None:
    """The first time: the delivery is marked answered, the contact's fatigue budget spent and
    the account's timeline told. Every time (a changed answer too): the playbook signal
    (`created` says which), a health refresh, the "survey.answered" webhook."""
    created = response.followup_count == 0
    if created and response.delivery_id:
        SurveyDelivery.objects.filter(id=response.delivery_id).update(
            status=DeliveryStatus.ANSWERED, answered_at=response.submitted_at
        )
    category = score_category(response.kind, response.score)
    if created:
        if response.contact_id:
            fatigue_record(
                contact_id=response.contact_id,
                channel=response.channel,
                kind=TouchKind.ANSWERED,
                account_id=response.account_id,
                occurred_at=response.submitted_at,
            )
        if response.account_id:
            from accounts.services import activity_create

            who = str(response.contact) if response.contact else "an anonymous customer"
            activity_create(
                account=response.account,
                kind="system",
                subject=f"{response.get_kind_display().split(' ')[0]} {response.score} ({category}) from {who}",
                body=response.comment,
                occurred_at=response.submitted_at,
                contact=response.contact,
                metadata={"survey_response_id": response.id, "kind": response.kind, "score": response.score},
            )
    response_recorded.send(
        sender=SurveyResponse,
        response_id=response.id,
        account_id=response.account_id,
        contact_id=response.contact_id,
        kind=response.kind,
        score=response.score,
        category=category,
        created=created,
    )
    if response.account_id:
        _health_refresh_soon(response.account_id)
    from core.webhooks import webhook_emit

    webhook_emit(event="survey.answered", payload=response_payload(response))


def _health_refresh_soon(account_id: int) -> None:
    from health.services import account_health_refresh_soon

    account_health_refresh_soon(account_id=account_id)


def response_payload(response: SurveyResponse) -> dict:
    account = response.account if response.account_id else None
    return {
        "id": response.id,
        "kind": response.kind,
        "score": response.score,
        "category": score_category(response.kind, response.score),
        "comment": response.comment,
        "answers": response.answers,
        "language": response.language,
        "channel": response.channel,
        "submitted_at": response.submitted_at,
        "survey": response.survey_id,
        "account": account.external_id if account else None,
        "contact": response.contact.external_id if response.contact_id else None,
    }


# Section: audience and triggers


def _sampled(survey_id: int, contact_id: int, percent: int) -> bool:
    """Deterministic sampling: a contact is in or out of a survey's sample for good."""
    if percent >= 100:
        return True
    digest = hashlib.sha256(f"{survey_id}:{contact_id}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % 100 < percent


def survey_audience_contact_ids(*, survey: Survey, contact_ids: Iterable[int]) -> set[int]:
    """Contacts of `contact_ids` in the survey's audience (segment, tier, persona, sample). One query."""
    from accounts.models import Contact

    qs = Contact.objects.filter(id__in=list(contact_ids))
    if survey.segments:
        qs = qs.filter(account__segment__in=survey.segments)
    if survey.tiers:
        qs = qs.filter(account__tier__in=survey.tiers)
    persona_ids = [p.id for p in survey.personas.all()]
    if persona_ids:
        qs = qs.filter(persona_id__in=persona_ids)
    return {cid for cid in qs.values_list("id", flat=True) if _sampled(survey.id, cid, survey.sample_percent)}


def _drip_left(survey: Survey, now: datetime) -> int | None:
    if not survey.drip_per_day:
        return None
    day_start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    sent = SurveyDelivery.objects.filter(survey=survey, sent_at__gte=day_start).count()
    return max(0, survey.drip_per_day - sent)


def _trigger_met(survey: Survey, contact, *, event: str, now: datetime) -> bool:
    if survey.trigger == TriggerType.EVENT:
        if not survey.trigger_event:
            return False
        if event and event == survey.trigger_event:
            return True
        from usage.models import UsageEvent

        return UsageEvent.objects.filter(
            account_id=contact.account_id, contact_id=contact.id, event=survey.trigger_event
        ).exists()
    if survey.trigger == TriggerType.DAYS_AFTER_SIGNUP:
        return contact.created_at <= now - timedelta(days=survey.trigger_days)
    return True


# Section: widget


def widget_identify(*, workspace: SurveyWorkspace, user_id: str, user_hash: str) -> None:
    if not workspace.verify_user(str(user_id or ""), str(user_hash or "")):
        raise IdentityInvalid("user_hash does not match user_id")


def widget_eligibility(
    *, workspace: SurveyWorkspace, user_id: str, language: str = "", event: str = "", now: datetime | None = None
) -> dict | None:
    """The survey to show this (verified) user now, or None. A widget delivery that was shown in
    the last day and neither answered nor dismissed is shown again (a reload must not lose it);
    otherwise fatigue, audience, trigger, schedule and drip decide, and showing spends the
    contact's budget ("asked")."""
    from accounts.models import Contact

    from .selectors import deliveries_pending_widget

    now = now or timezone.now()
    contact = Contact.objects.filter(external_id=user_id).first()
    if contact is None:
        return None
    surveys = list(workspace.surveys.live(now).prefetch_related("personas").order_by("id"))
    if not surveys:
        return None
    pending = (
        deliveries_pending_widget(
            contact_id=contact.id, survey_ids=[s.id for s in surveys], since=now - timedelta(days=1)
        )
        .order_by("-sent_at")
        .first()
    )
    if pending is not None:
        survey = next(s for s in surveys if s.id == pending.survey_id)
        return _widget_offer(workspace, survey, contact, pending, user_id)
    if contact.id not in fatigue_allowed_contact_ids(contact_ids=[contact.id], now=now):
        return None
    lang = survey_language(language) or survey_language(contact.language)
    for survey in surveys:
        if contact.id not in survey_audience_contact_ids(survey=survey, contact_ids=[contact.id]):
            continue
        if not _trigger_met(survey, contact, event=event, now=now):
            continue
        left = _drip_left(survey, now)
        if left is not None and left <= 0:
            continue
        delivery = SurveyDelivery.objects.create(
            survey=survey,
            contact=contact,
            account_id=contact.account_id,
            channel=Channel.WIDGET,
            language=lang or survey.default_language,
            sent_at=now,
        )
        fatigue_record(
            contact_id=contact.id,
            channel=Channel.WIDGET,
            kind=TouchKind.ASKED,
            account_id=contact.account_id,
            occurred_at=now,
        )
        return _widget_offer(workspace, survey, contact, delivery, user_id)
    return None


def _widget_offer(workspace, survey: Survey, contact, delivery: SurveyDelivery, user_id: str) -> dict:
    token = make_token(
        "widget",
        {
            "d": delivery.id,
            "s": survey.id,
            "k": survey.kind,
            "c": contact.id,
            "a": contact.account_id,
            "u": str(user_id),
            "w": workspace.id,
            "l": delivery.language,
        },
    )
    return {"survey": survey, "delivery": delivery, "token": token}


def widget_answer(
    *,
    workspace: SurveyWorkspace,
    token: str,
    user_id: str,
    score,
    comment: str = "",
    answers: dict | None = None,
    now: datetime | None = None,
) -> tuple[Recorded, Survey, str]:
    """Record (or, within the edit window, change) the answer of the delivery the token names.
    Returns (recorded, survey, language). Raises TokenError, ValidationError, AlreadyAnswered."""
    from .selectors import survey_cached

    data = read_token("widget", token)
    if data.get("w") != workspace.id or data.get("u") != str(user_id):
        raise TokenError("token belongs to another user or workspace")
    survey = survey_cached(data["s"])
    if survey is None:
        raise TokenError("survey no longer exists")
    value, comment, answers = response_validate(
        kind=data["k"], score=score, comment=comment, answers=answers, follow_ups=survey.follow_ups
    )
    recorded = response_upsert(
        dedupe_key=f"d:{data['d']}",
        kind=data["k"],
        score=value,
        comment=comment,
        answers=answers,
        language=data.get("l") or "en",
        channel=Channel.WIDGET,
        survey_id=survey.id,
        delivery_id=data["d"],
        account_id=data.get("a"),
        contact_id=data["c"],
        locked_after=edit_window(),
        now=now,
    )
    if recorded is None:
        raise AlreadyAnswered("this survey was already answered")
    return recorded, survey, data.get("l") or "en"


def delivery_dismiss(*, workspace: SurveyWorkspace, token: str, user_id: str, now: datetime | None = None) -> None:
    """The contact closed the widget without answering: that spends the budget too."""
    data = read_token("widget", token)
    if data.get("w") != workspace.id or data.get("u") != str(user_id):
        raise TokenError("token belongs to another user or workspace")
    now = now or timezone.now()
    with transaction.atomic():
        changed = SurveyDelivery.objects.filter(id=data["d"], status=DeliveryStatus.SENT, response__isnull=True).update(
            status=DeliveryStatus.DISMISSED
        )
        if not changed:
            raise AlreadyAnswered("this survey was already answered or dismissed")
        fatigue_record(
            contact_id=data["c"],
            channel=Channel.WIDGET,
            kind=TouchKind.DISMISSED,
            account_id=data.get("a"),
            occurred_at=now,
        )


# Section: email and links


def _email_links(token: str, survey: Survey) -> list[tuple[int, str]]:
    low, high = survey.score_range
    base = settings.SITE_URL
    return [(n, base + reverse("surveys:email_click", args=[token, n])) for n in range(low, high + 1)]


def survey_send(
    *, survey: Survey, contact_ids: Iterable[int], channel: str = "email", now: datetime | None = None
) -> dict:
    """Email the survey to those of `contact_ids` in its audience, with an address, whom the
    fatigue budget allows and the drip still has room for. Each email carries the score scale as
    one-click signed links. Returns the counts of sent and skipped contacts."""
    from accounts.models import Contact

    if channel != Channel.EMAIL:
        raise ValueError("survey_send sends by email; widget and link surveys are pulled by the contact")
    now = now or timezone.now()
    wanted = {int(c) for c in contact_ids}
    rows = {
        r["id"]: r
        for r in Contact.objects.filter(id__in=list(wanted))
        .exclude(email="")
        .values("id", "account_id", "email", "name", "language")
    }
    audience = survey_audience_contact_ids(survey=survey, contact_ids=rows.keys())
    allowed = sorted(fatigue_allowed_contact_ids(contact_ids=audience, now=now))
    left = _drip_left(survey, now)
    chosen = allowed if left is None else allowed[:left]
    result = {
        "sent": 0,
        "skipped_no_email": len(wanted) - len(rows),
        "skipped_audience": len(rows) - len(audience),
        "skipped_fatigue": len(audience) - len(allowed),
        "skipped_drip": len(allowed) - len(chosen),
    }
    if not chosen:
        return result
    with transaction.atomic():
        deliveries = SurveyDelivery.objects.bulk_create(
            [
                SurveyDelivery(
                    survey=survey,
                    contact_id=cid,
                    account_id=rows[cid]["account_id"],
                    channel=Channel.EMAIL,
                    language=survey_language(rows[cid]["language"]) or survey.default_language,
                    sent_at=now,
                )
                for cid in chosen
            ]
        )
        fatigue_record_many(
            contacts=[(cid, rows[cid]["account_id"]) for cid in chosen],
            channel=Channel.EMAIL,
            kind=TouchKind.ASKED,
            occurred_at=now,
        )
    from .sending import survey_email_message

    messages = [
        survey_email_message(
            survey=survey, delivery=d, email=rows[d.contact_id]["email"], name=rows[d.contact_id]["name"]
        )
        for d in deliveries
    ]
    with get_connection() as mail:
        result["sent"] = mail.send_messages(messages) or 0
    return result


def _delivery_for(purpose: str, token: str) -> SurveyDelivery:
    data = read_token(purpose, token)
    delivery = SurveyDelivery.objects.select_related("survey", "contact").filter(id=data.get("d")).first()
    if delivery is None:
        raise TokenError("unknown delivery")
    return delivery


def email_answer(
    *, token: str, score, comment: str = "", answers: dict | None = None, purpose: str = "email"
) -> tuple[Recorded, SurveyDelivery]:
    """A click on a score in the email (or the comment page after it): the first click records,
    a later one changes the same answer. Works as long as the token is valid (30 days)."""
    delivery = _delivery_for(purpose, token)
    survey = delivery.survey
    value, comment, answers = response_validate(
        kind=survey.kind, score=score, comment=comment, answers=answers, follow_ups=survey.follow_ups
    )
    recorded = response_upsert(
        dedupe_key=f"d:{delivery.id}",
        kind=survey.kind,
        score=value,
        comment=comment,
        answers=answers,
        language=delivery.language,
        channel=delivery.channel,
        survey_id=survey.id,
        delivery_id=delivery.id,
        account_id=delivery.account_id,
        contact_id=delivery.contact_id,
    )
    return recorded, delivery


def survey_link_for_contact(*, survey: Survey, contact, now: datetime | None = None) -> str:
    """A personal public-link URL for a known contact (its answer is stored against them)."""
    delivery = SurveyDelivery.objects.create(
        survey=survey,
        contact=contact,
        account_id=contact.account_id,
        channel=Channel.LINK,
        language=survey_language(contact.language) or survey.default_language,
        sent_at=now or timezone.now(),
    )
    token = make_token("link", {"d": delivery.id})
    return settings.SITE_URL + reverse("surveys:public_link", args=[survey.public_slug]) + f"?t={token}"


def link_answer(
    *, survey: Survey, nonce: str, score, comment: str = "", answers: dict | None = None, language: str = "en"
) -> Recorded:
    """An anonymous answer on the survey's public page; `nonce` (signed into the form) makes a
    re-submission of the same form change the answer instead of adding one."""
    value, comment, answers = response_validate(
        kind=survey.kind, score=score, comment=comment, answers=answers, follow_ups=survey.follow_ups
    )
    return response_upsert(
        dedupe_key=f"l:{survey.id}:{nonce}",
        kind=survey.kind,
        score=value,
        comment=comment,
        answers=answers,
        language=survey_language(language) or survey.default_language,
        channel=Channel.LINK,
        survey_id=survey.id,
        locked_after=edit_window(),
    )
