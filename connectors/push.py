"""Push: our values out to the vendor's records through the push (and both-ways) mappings of
pushable objects (accounts today: health score, band, churn risk, last NPS, or any account
field). What was pushed is remembered per record (PushState), so a rerun pushes nothing; a
field mapped both ways is pushed only when our record changed after the previous sync and before
this run (the pull's last-modified-wins rule kept ours; what the pull wrote is the vendor's).
Batches of PUSH_BATCH (HubSpot's batch update takes 100)."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import OuterRef, Subquery
from django.utils import timezone

from accounts.models import Account
from core.db import chunked, lookup_by
from health.backtest import churn_risks
from health.models import HealthScore
from health.selectors import churn_inputs, churn_model_current, latest_day
from surveys.models import SurveyResponse

from .choices import Direction
from .fields import CUSTOM_PREFIX
from .models import PushState, SyncCursor, SyncRun

__all__ = ["PUSH_BATCH", "account_push_values", "push_all"]

PUSH_BATCH = 100
CHUNK = 1000
COMPUTED = {"health_score", "health_band", "churn_risk", "last_nps"}


def _jsonable(value):
    if isinstance(value, Decimal):
        return float(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "pk"):
        return value.pk
    return value


def account_push_values(accounts: list[Account], names: set[str]) -> dict[int, dict]:
    """{account id: {our field: value}} for the fields asked, computed ones in bulk (a query
    each for churn risk and last NPS)."""
    ids = [a.pk for a in accounts]
    risks: dict[int, float] = {}
    if "churn_risk" in names and ids:
        model, day = churn_model_current(), latest_day()
        if model is not None and day is not None:
            snaps = list(HealthScore.objects.filter(day=day, account_id__in=ids).only("account_id", "day", "measures"))
            for snap, risk in zip(snaps, churn_risks(model, churn_inputs(model, snaps)), strict=True):
                risks[snap.account_id] = round(float(risk), 3)
    nps: dict[int, int] = {}
    if "last_nps" in names and ids:
        last = SurveyResponse.objects.filter(account_id=OuterRef("pk"), kind="nps").order_by("-submitted_at", "-pk")
        nps = dict(
            Account.objects.filter(pk__in=ids)
            .annotate(last=Subquery(last.values("score")[:1]))
            .filter(last__isnull=False)
            .values_list("pk", "last")
        )
    out = {}
    for account in accounts:
        values = {}
        for name in names:
            if name == "churn_risk":
                values[name] = risks.get(account.pk)
            elif name == "last_nps":
                values[name] = nps.get(account.pk)
            elif name.startswith(CUSTOM_PREFIX):
                values[name] = (account.custom_fields or {}).get(name.removeprefix(CUSTOM_PREFIX))
            else:
                values[name] = _jsonable(getattr(account, name, None))
        out[account.pk] = values
    return out


def push_all(*, run: SyncRun, client, vendor, previous: dict | None = None) -> int:
    """Push every pushable object's mapped fields; the number of records pushed. `previous`:
    {object: when its pull before this run ended} (our edits after it are pushed both ways)."""
    connection = run.connection
    prefix = connection.id_prefix
    pushed = 0
    for spec in vendor.objects:
        mappings = [
            m
            for m in connection.mappings.all()
            if m.object_key == spec.key and m.direction in (Direction.PUSH, Direction.BOTH)
        ]
        if not spec.pushable or spec.target != "account" or not mappings:
            continue
        if previous is not None:
            changed_after = previous.get(spec.key)
        else:
            cursor = SyncCursor.objects.filter(connection=connection, object_key=spec.key).first()
            changed_after = cursor.last_synced_at if cursor else None
        names = {m.local_field for m in mappings}
        ids = list(Account.objects.filter(external_id__startswith=prefix).order_by("pk").values_list("pk", flat=True))
        for part in chunked(ids, CHUNK):
            accounts = list(Account.objects.filter(pk__in=part).order_by("pk"))
            values = account_push_values(accounts, names)
            remote = {a.pk: a.external_id[len(prefix) :] for a in accounts}
            states = lookup_by(
                PushState.objects.filter(connection=connection, object_key=spec.key),
                "remote_id",
                remote.values(),
            )
            updates: list[tuple[str, dict]] = []
            new_states: dict[str, dict] = {}
            for account in accounts:
                rid = remote[account.pk]
                known = states[rid].values if rid in states else {}
                out = {}
                for m in mappings:
                    if m.direction == Direction.BOTH and not (
                        # our edit after the previous sync and before this run (the pull's own
                        # writes are the vendor's values: nothing to send back)
                        changed_after is not None and changed_after < account.updated_at < run.started_at
                    ):
                        continue
                    value = values[account.pk].get(m.local_field)
                    if known.get(m.remote_field) != value:  # never pushed and still empty: nothing to say
                        out[m.remote_field] = value
                if out:
                    updates.append((rid, {k: ("" if v is None else v) for k, v in out.items()}))
                    new_states[rid] = {**known, **out}
            if not updates:
                continue
            pushed += len(updates)
            if run.dry_run:
                continue
            for batch in chunked(updates, PUSH_BATCH):
                client.push(spec.key, list(batch))
            now = timezone.now()
            existing = [states[rid] for rid in new_states if rid in states]
            for state in existing:
                state.values, state.pushed_at = new_states[state.remote_id], now
            PushState.objects.bulk_update(existing, ["values", "pushed_at"], batch_size=500)
            PushState.objects.bulk_create(
                [
                    PushState(connection=connection, object_key=spec.key, remote_id=rid, values=v, pushed_at=now)
                    for rid, v in new_states.items()
                    if rid not in states
                ],
                batch_size=500,
            )
    return pushed
