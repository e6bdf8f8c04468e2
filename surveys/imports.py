"""Imports of past survey answers (`POST /api/v1/survey-responses/`): history from another
tool, stored with its own `submitted_at`. Apart from surveys.services because an import is not
an answer: it fires no `response_recorded` (no playbook, no webhook, no timeline entry), it
has its own identity rule (`import_dedupe_key`), and it is written in bulk."""

import hashlib
import uuid
from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.panel_cache import account_panels_changed

from .choices import Channel, TouchKind
from .fatigue import fatigue_record_many, recontact_days
from .models import SurveyResponse
from .tasks import survey_days_refresh_task

__all__ = ["import_dedupe_key", "import_duplicates", "responses_import"]


def import_dedupe_key(
    *, kind: str, account_id: int, contact_id: int | None, submitted_at: datetime, external_id: str
) -> str:
    """What makes an imported answer the same answer again (a retry updates it):
    - its `external_id` when given;
    - else, for a known contact, kind + account + contact + submitted_at (one person does not
      answer one kind twice in the same instant);
    - else nothing: an anonymous answer without an external id is a new answer every time it
      is posted (two customers may well answer at the same second), so send external ids to
      retry anonymous imports safely."""
    if external_id:
        return f"i:{external_id}"[:191]
    if contact_id:
        raw = f"{kind}|{account_id}|{contact_id}|{submitted_at.isoformat()}"
        return "i:h:" + hashlib.sha256(raw.encode()).hexdigest()
    return f"i:n:{uuid.uuid4().hex}"


def import_duplicates(*, items: list[dict]) -> list[dict]:
    """Items of one import that name the same answer as an earlier item of the list (same
    external_id, or the same contact's kind and submitted_at): [{"index", "field", "reason"}].
    They would overwrite each other, so the import refuses them."""
    seen: dict[tuple, int] = {}
    errors = []
    for index, item in enumerate(items):
        if item.get("external_id"):
            key, field, what = ("x", item["external_id"]), "external_id", "external_id"
        elif item.get("contact") is not None and item.get("submitted_at") is not None:
            key = ("c", item["kind"], item["contact"].id, item["submitted_at"])
            field, what = "submitted_at", "contact, kind and submitted_at (give each an external_id to keep both)"
        else:
            continue
        if key in seen:
            errors.append({"index": index, "field": field, "reason": f"same {what} as item {seen[key]} in this list"})
        else:
            seen[key] = index
    return errors


@transaction.atomic
def responses_import(*, items: list[dict], now: datetime | None = None) -> list[SurveyResponse]:
    """Past answers from another tool (validated items: kind, account (object), contact
    (object or None), score, comment, submitted_at, language, external_id). Idempotent where
    an answer has an identity (`import_dedupe_key`): importing it again updates it. Imported
    answers are history: they fire no `response_recorded` (no playbook, no webhook) and the
    survey-answer playbooks skip them (`SurveyResponseQuerySet.customer_answers`); the first
    import of an answer a contact gave within the recontact window spends that contact's
    fatigue budget at the answer's time; the accounts' health is refreshed."""
    if duplicates := import_duplicates(items=items):
        raise ValueError(f"item {duplicates[0]['index']}: {duplicates[0]['reason']}")
    now = now or timezone.now()
    objs = [
        SurveyResponse(
            kind=i["kind"],
            account=i["account"],
            contact=i.get("contact"),
            score=i["score"],
            comment=i.get("comment") or "",
            language=i.get("language") or "en",
            channel=Channel.IMPORT,
            submitted_at=i.get("submitted_at") or now,
            followup_pending=False,
            dedupe_key=import_dedupe_key(
                kind=i["kind"],
                account_id=i["account"].id,
                contact_id=i["contact"].id if i.get("contact") else None,
                submitted_at=i.get("submitted_at") or now,
                external_id=i.get("external_id") or "",
            ),
            created_at=now,
        )
        for i in items
    ]
    keys = [o.dedupe_key for o in objs]
    before = SurveyResponse.objects.filter(dedupe_key__in=keys).values_list("dedupe_key", "submitted_at")
    existing = {key for key, _ in before}
    replaced_days = {at.astimezone(UTC).date() for _, at in before}  # a re-import may move an answer
    SurveyResponse.objects.bulk_create(
        objs,
        update_conflicts=True,
        unique_fields=["dedupe_key"],
        update_fields=["kind", "account", "contact", "score", "comment", "language", "submitted_at", "updated_at"],
    )
    saved = list(SurveyResponse.objects.filter(dedupe_key__in=keys).order_by("id"))
    # a re-import may move an answer to another account: every account page's answers are redone
    account_panels_changed(account_ids=None, keys=["surveys"])
    recent = now - timedelta(days=recontact_days())
    fatigue_record_many(
        contacts=[
            (r.contact_id, r.account_id, r.submitted_at)
            for r in saved
            if r.contact_id and r.submitted_at > recent and r.dedupe_key not in existing
        ],
        channel=Channel.IMPORT,
        kind=TouchKind.ANSWERED,
    )
    account_ids = sorted({r.account_id for r in saved})
    transaction.on_commit(lambda: [_health_refresh_soon(a) for a in account_ids])
    # The report's stored days of these answers (and of the ones they replaced) are stored again.
    days = sorted({d.isoformat() for d in replaced_days | {r.submitted_at.astimezone(UTC).date() for r in saved}})
    transaction.on_commit(lambda: survey_days_refresh_task.delay(days))
    by_key = {r.dedupe_key: r for r in saved}
    return [by_key[k] for k in keys]


def _health_refresh_soon(account_id: int) -> None:
    from health.services import account_health_refresh_soon

    account_health_refresh_soon(account_id=account_id)
