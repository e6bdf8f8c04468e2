"""Writing one chunk of planned accounts: their rows in every table (accounts, contacts,
subscriptions, tickets, timeline), their usage events and the daily rollups computed from
the same arrays, through the bulk loader (demo.sql)."""

import json
import random
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import numpy as np
from django.utils import timezone

from accounts.models import (
    Account,
    Activity,
    Contact,
    Subscription,
    SupportTicket,
)
from usage.models import AccountDailyContact, AccountDailyUsage, UsageEvent

from ..context import DemoContext
from ..sql import DAILY_CONTACT_TUPLE, PG_EPOCH, BulkWriter, EventRecords, IdBlock, UsageRecords, hms_of_day
from .planner import HISTORY_DAYS, AccountPlan, Planner
from .vocabulary import EVENT_NAMES, EVENT_PROPS

__all__ = ["ChunkWriter"]

ACCOUNT_COLS = [
    "id",
    "external_id",
    "name",
    "domain",
    "industry",
    "tier",
    "segment",
    "lifecycle_stage",
    "owner_id",
    "parent_id",
    "currency",
    "custom_fields",
    "stripe_customer_id",
    "created_at",
    "updated_at",
    "mrr",
    "renewal_date",
    "health_band",
    "last_touch_at",
]
CONTACT_COLS = [
    "id",
    "external_id",
    "account_id",
    "name",
    "email",
    "title",
    "persona_id",
    "language",
    "timezone",
    "birthday",
    "last_seen_at",
    "custom_fields",
    "created_at",
    "updated_at",
]
SUB_COLS = [
    "id",
    "external_id",
    "account_id",
    "plan",
    "mrr",
    "currency",
    "seats",
    "entitlements",
    "start_date",
    "end_date",
    "is_trial",
    "canceled_at",
    "created_at",
    "updated_at",
]
TICKET_COLS = [
    "id",
    "external_id",
    "account_id",
    "contact_id",
    "subject",
    "opened_at",
    "first_response_at",
    "resolved_at",
    "agent_replies",
    "priority",
    "status",
    "escalated",
    "updated_at",
]
ACTIVITY_COLS = [
    "id",
    "account_id",
    "kind",
    "author_id",
    "contact_id",
    "subject",
    "body",
    "occurred_at",
    "metadata",
    "created_at",
]
EVENT_COLS = ["id", "account_id", "contact_id", "event", "occurred_at", "properties"]
USAGE_COLS = ["id", "account_id", "day", "events", "active_contacts", "contact_ids", "features"]
DAILY_COLS = ["id", "account_id", "day", "contact_id"]


def _revenue(plan: AccountPlan, today: date) -> tuple[Decimal, date | None]:
    """`accounts.services.account_revenue_refresh` for one planned account: MRR = the paid
    subscriptions active today, renewal = the nearest end date among them (a test holds the
    seed to the service)."""
    paid = [s for s in plan.subscriptions if not s[5] and s[3] <= today and (s[4] is None or s[4] > today)]
    return sum((s[1] for s in paid), Decimal(0)), min((s[4] for s in paid if s[4] is not None), default=None)


class ChunkWriter:
    """Writes one chunk of planned accounts: their rows in every table, ids given from an IdBlock
    (account i gets the block's first id + i)."""

    def __init__(self, ctx: DemoContext, writer: BulkWriter, ids: IdBlock, planner: Planner, *, user_ids, personas):
        self.ctx, self.writer, self.ids, self.planner = ctx, writer, ids, planner
        self.user_ids, self.personas = user_ids, personas
        self.now_s = writer.ts(timezone.now())
        self.day_strs = [(planner.start + timedelta(days=d)).isoformat() for d in range(HISTORY_DAYS)]
        self.churned: set[int] = set()
        self.at_risk: set[int] = set()
        self.trials_lost: set[int] = set()
        self.timing = {"plan": 0.0, "records": 0.0, "events": 0.0, "rollups": 0.0}
        self.totals = {"contacts": 0, "subscriptions": 0, "events": 0, "tickets": 0, "activities": 0}
        self.rollup_totals = {"daily_usage": 0, "daily_contacts": 0}
        self.daily_usage, self.daily_contact = AccountDailyUsage, AccountDailyContact
        self.binary = writer.pg
        self.events_binary = None
        if writer.pg:
            extra_cols, extra_vals = writer.defaults(UsageEvent, EVENT_COLS)
            if all(v is None for v in extra_vals):
                self.events_binary = EventRecords(extra_cols, EVENT_NAMES, EVENT_PROPS)
            # binary rows name every column: the rollup tables must not have grown one
            self.binary = not writer.defaults(self.daily_contact, DAILY_COLS)[0]
        self.usage_binary = None
        if writer.pg and not writer.defaults(self.daily_usage, USAGE_COLS)[0]:
            self.usage_binary = UsageRecords(EVENT_NAMES)
        start = planner.start
        # seconds from PostgreSQL's epoch to the first day of the history, for binary timestamps
        self.start_us = (start - PG_EPOCH).days * 86_400 * 1_000_000

    def write(self, plans: list[AccountPlan], first_account: int) -> None:
        t0 = time.perf_counter()
        self._records(plans, first_account)
        self.timing["records"] += time.perf_counter() - t0
        t0 = time.perf_counter()
        arrays = self._events(plans)
        self.timing["events"] += time.perf_counter() - t0
        t0 = time.perf_counter()
        if arrays is not None:
            for key, count in self._rollups(*arrays).items():
                self.rollup_totals[key] += count
        self.timing["rollups"] += time.perf_counter() - t0

    # -- accounts, contacts, subscriptions, tickets, timeline --------------------------------------

    def _records(self, plans: list[AccountPlan], first_account: int) -> None:
        """Rows as tuples of plain values, NULL as the writer's token (so PostgreSQL's lines are
        one %-format each), ids given in order."""
        writer, ids, ts, now_s, seed = self.writer, self.ids, self.writer.ts, self.now_s, self.ctx.seed
        user_ids, personas, today, null = self.user_ids, self.personas, self.ctx.today, writer.null
        day_strs, hms, suffix = self.day_strs, hms_of_day(), writer.tz_suffix
        rows = []
        account_id = ids.take(Account, len(plans))
        contact_id = ids.take(Contact, sum(len(p.contacts) for p in plans))
        for p in plans:
            p.account_id = account_id
            p.first_contact_id = contact_id
            account_id += 1
            contact_id += len(p.contacts)
            if p.fate == "churned":
                self.churned.add(p.account_id)
            elif p.fate == "at_risk":
                self.at_risk.add(p.account_id)
            elif p.fate == "trial_lost":
                self.trials_lost.add(p.account_id)
            parent = null
            # a few enterprise accounts are subsidiaries of an earlier one
            if p.segment == "Enterprise" and p.index > 20:
                crng = random.Random(f"{seed}:parent:{p.index}")
                if crng.random() < 0.08:
                    parent = first_account + crng.randrange(0, p.index)
            crng = random.Random(f"{seed}:custom:{p.index}")
            employees = int(p.subscriptions[-1][2] * crng.uniform(2, 6)) if p.subscriptions else 10
            stripe = f"cus_{crng.getrandbits(48):012x}" if crng.random() < 0.8 else ""
            mrr, renewal = _revenue(p, today)
            rows.append(
                (
                    p.account_id,
                    p.external_id,
                    p.name,
                    p.domain,
                    p.industry,
                    p.tier,
                    p.segment,
                    p.lifecycle,
                    user_ids[p.owner],
                    parent,
                    "USD",
                    f'{{"region": "{p.region}", "employees": {employees}}}',  # json.dumps' output
                    stripe,
                    ts(p.created_at),
                    now_s,
                    str(mrr),
                    renewal.isoformat() if renewal else null,
                    "",
                    ts(p.last_touch_at),
                )
            )
        writer.write(Account, ACCOUNT_COLS, rows)

        rows = []
        contact_id = plans[0].first_contact_id
        for p in plans:
            created = ts(p.created_at)
            last_seen = [
                null if s < 0 else f"{day_strs[s // 86400]} {hms[s % 86400]}{suffix}" for s in p.contact_last_seen
            ]
            for k, (ext, name, email, title, persona, lang, tz, birthday) in enumerate(p.contacts):
                rows.append(
                    (
                        contact_id,
                        ext,
                        p.account_id,
                        name,
                        email,
                        title,
                        personas[persona],
                        lang,
                        tz,
                        birthday.isoformat() if birthday else null,
                        last_seen[k],
                        "{}",
                        created,
                        now_s,
                    )
                )
                contact_id += 1
        self.totals["contacts"] += writer.write(Contact, CONTACT_COLS, rows)

        rows = []
        row_id = ids.next[Subscription]
        for p in plans:
            for k, (plan_name, mrr, seats, begin, end, trial, canceled, ent) in enumerate(p.subscriptions):
                rows.append(
                    (
                        row_id,
                        f"sub_{p.external_id}_{k + 1}",
                        p.account_id,
                        plan_name,
                        str(mrr),
                        "USD",
                        seats,
                        json.dumps(ent),
                        begin.isoformat(),
                        end.isoformat() if end else null,
                        trial,
                        ts(canceled),
                        ts(datetime(begin.year, begin.month, begin.day, tzinfo=UTC)),
                        now_s,
                    )
                )
                row_id += 1
        ids.take(Subscription, len(rows))
        self.totals["subscriptions"] += writer.write(Subscription, SUB_COLS, rows)

        rows = []
        row_id = ids.next[SupportTicket]
        for p in plans:
            for ext, contact, subject, opened, first, resolved, replies, priority, status, escalated in p.tickets:
                rows.append(
                    (
                        row_id,
                        ext,
                        p.account_id,
                        p.first_contact_id + contact,
                        subject,
                        ts(opened),
                        ts(first),
                        ts(resolved),
                        replies,
                        priority,
                        status,
                        escalated,
                        now_s,
                    )
                )
                row_id += 1
        ids.take(SupportTicket, len(rows))
        self.totals["tickets"] += writer.write(SupportTicket, TICKET_COLS, rows)

        rows = []
        row_id = ids.next[Activity]
        authors = {None: null, **user_ids}
        for p in plans:
            first_contact = p.first_contact_id
            for kind, author, contact, subject, body, at in p.activities:
                at_s = ts(at)
                rows.append(
                    (
                        row_id,
                        p.account_id,
                        kind,
                        authors[author],
                        null if contact is None else first_contact + contact,
                        subject,
                        body,
                        at_s,
                        "{}",
                        at_s,
                    )
                )
                row_id += 1
        ids.take(Activity, len(rows))
        self.totals["activities"] += writer.write(Activity, ACTIVITY_COLS, rows)

    # -- usage events ------------------------------------------------------------------------------

    def _events(self, plans: list[AccountPlan]):
        """Write the chunk's events; return them as arrays (account position in the chunk, day,
        event name, contact id or -1) for the rollups."""
        sizes = [len(p.ev_day) for p in plans]
        n = sum(sizes)
        if not n:
            return None
        position = np.repeat(np.arange(len(plans), dtype=np.int64), sizes)
        day = np.concatenate([p.ev_day for p in plans]).astype(np.int64)
        sec = np.concatenate([p.ev_sec for p in plans]).astype(np.int64)
        name = np.concatenate([p.ev_name for p in plans]).astype(np.int64)
        contact = np.concatenate([p.ev_contact for p in plans]).astype(np.int64)
        first_contact = np.array([p.first_contact_id for p in plans], dtype=np.int64)
        cid = np.where(contact >= 0, contact + first_contact[position], -1)
        account = plans[0].account_id + position
        first_id = self.ids.take(UsageEvent, n)
        if self.events_binary is not None:
            records = self.events_binary.build(
                first_id, account, self.start_us + (day * 86_400 + sec) * 1_000_000, cid, name
            )
            self.writer.binary(UsageEvent, self.events_binary.columns, records)
        else:
            day_strs, hms, tz, null = self.day_strs, hms_of_day(), self.writer.tz_suffix, self.writer.null
            rows = [
                (i, a, null if c < 0 else c, EVENT_NAMES[e], f"{day_strs[d]} {hms[s]}{tz}", EVENT_PROPS[e])
                for i, a, d, s, e, c in zip(
                    range(first_id, first_id + n),
                    account.tolist(),
                    day.tolist(),
                    sec.tolist(),
                    name.tolist(),
                    cid.tolist(),
                    strict=True,
                )
            ]
            self.writer.write(UsageEvent, EVENT_COLS, rows)
        self.totals["events"] += n
        return plans, position, day, name, contact, first_contact

    # -- daily rollups -----------------------------------------------------------------------------

    def _rollups(self, plans, position, day, name, contact, first_contact) -> dict[str, int]:
        """The daily rollups of a chunk's events (AccountDailyUsage and AccountDailyContact),
        computed from the arrays the events were written from: exactly the rows
        `usage.rollups.usage_rollup_rebuild()` makes from the stored events (days are UTC, an
        event's day is its plan day; contact ids ascending, like PostgreSQL's
        jsonb_agg(DISTINCT); tests/demo/test_accounts.py compares the two), without reading 20M
        events back."""
        writer, day_strs = self.writer, self.day_strs
        n_names = len(EVENT_NAMES)
        # one row per (account, day) with events, in (account, day) order: the events come
        # sorted by day within each account, so a row starts wherever the key changes
        key = position * HISTORY_DAYS + day
        if len(key) > 1 and (key[1:] >= key[:-1]).all():
            starts = np.concatenate([[True], key[1:] != key[:-1]])
            keys, row = key[starts], np.cumsum(starts) - 1
        else:
            keys, row = np.unique(key, return_inverse=True)
        n_rows = len(keys)
        row_position = keys // HISTORY_DAYS
        events = np.bincount(row, minlength=n_rows)
        features = np.bincount(row * n_names + name, minlength=n_rows * n_names).reshape(n_rows, n_names)
        # distinct (row, contact) pairs, contacts ascending within a row (an account's contact ids
        # follow its contacts' order): marks in a bitmap of rows x the chunk's largest contact list
        seen = contact >= 0
        bits = max(1, int(contact.max(initial=0)).bit_length())
        marks = np.zeros(n_rows << bits, dtype=bool)
        marks[(row[seen] << bits) | contact[seen]] = True
        pairs = np.flatnonzero(marks)
        pair_row = pairs >> bits
        pair_contact = (pairs & ((1 << bits) - 1)) + first_contact[row_position[pair_row]]
        active = np.bincount(pair_row, minlength=n_rows)
        row_account = plans[0].account_id + row_position
        first_id = self.ids.take(self.daily_usage, n_rows)
        if self.usage_binary is not None:
            records = self.usage_binary.build(
                first_id,
                row_account,
                (self.planner.start - PG_EPOCH).days + keys % HISTORY_DAYS,
                events,
                active,
                features,
                pair_row,
                pair_contact,
            )
            writer.binary(self.daily_usage, self.usage_binary.columns, records)
            written = {"daily_usage": n_rows, "daily_contacts": 0}
        else:
            written = {
                "daily_usage": self._usage_rows(
                    first_id, keys, row_account, events, active, features, pair_row, pair_contact
                ),
                "daily_contacts": 0,
            }
        if not len(pairs):
            return written
        first_id = self.ids.take(self.daily_contact, len(pairs))
        if self.binary:
            records = np.empty(len(pairs), DAILY_CONTACT_TUPLE)
            records["n"], records["l0"], records["l1"], records["l2"], records["l3"] = 4, 8, 8, 4, 8
            records["id"] = np.arange(first_id, first_id + len(pairs), dtype=np.int64)
            records["account"] = row_account[pair_row]
            records["day"] = (self.planner.start - PG_EPOCH).days + (keys % HISTORY_DAYS)[pair_row]
            records["contact"] = pair_contact
            written["daily_contacts"] = writer.binary(self.daily_contact, DAILY_COLS, records)
        else:
            items = zip(
                range(first_id, first_id + len(pairs)),
                row_account[pair_row].tolist(),
                [day_strs[d] for d in (keys % HISTORY_DAYS)[pair_row].tolist()],
                pair_contact.tolist(),
                strict=True,
            )
            written["daily_contacts"] = writer.write(self.daily_contact, DAILY_COLS, list(items))
        return written

    def _usage_rows(self, first_id, keys, row_account, events, active, features, pair_row, pair_contact) -> int:
        """AccountDailyUsage rows as plain values (SQLite, or a table with a column this module
        does not know): contact ids as `[1, 2]`, features as json.dumps writes them."""
        bounds = np.concatenate([[0], np.cumsum(active)]).tolist()
        contact_strs = [str(c) for c in pair_contact.tolist()]
        feature_json: dict[bytes, str] = {}
        feature_texts = []
        for counts in features:
            key = counts.tobytes()
            text = feature_json.get(key)
            if text is None:
                text = json.dumps({EVENT_NAMES[k]: int(n) for k, n in enumerate(counts.tolist()) if n})
                feature_json[key] = text
            feature_texts.append(text)
        n_rows = len(keys)
        rows = zip(
            range(first_id, first_id + n_rows),
            row_account.tolist(),
            [self.day_strs[d] for d in (keys % HISTORY_DAYS).tolist()],
            events.tolist(),
            active.tolist(),
            ["[" + ", ".join(contact_strs[bounds[k] : bounds[k + 1]]) + "]" for k in range(n_rows)],
            feature_texts,
            strict=True,
        )
        return self.writer.write(self.daily_usage, USAGE_COLS, list(rows))
