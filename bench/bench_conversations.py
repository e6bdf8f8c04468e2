"""An inbound burst of e-mails through `conversations.email.email_ingest` (issue 21, "Performance
and safety"): 10,000 messages at --scale 1.

Data (in <bench db>_conversations): N/10 accounts with a domain and three contacts each, the team
at team.example. The burst (built before timing, raw RFC 5322 bytes): 60% from known contacts,
15% from unknown people at an account's domain, 10% from nobody known (review queue), 5%
internal-only, 10% replies (In-Reply-To an earlier message of the burst); one message in five has
an HTML part.

Printed:
- the burst: messages per second through email_ingest (parse, dedupe, match, thread, store, the
  timeline entry and `last_touch_at`), each message its own transaction, and queries per message;
- the same burst delivered again (every message a duplicate: stored once) and its rate;
- baseline, same run: a plain INSERT of the same rows (the MailMessage rows the burst stored,
  bulk_create 1,000 per statement, no parsing, matching, threading or timeline), and the ratio.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/h7_bench \\
        .venv/bin/python -m bench --only conversations --scale 0.05
"""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime

from bench.setup import ratio, switch_database

PREFIX = "bc-"
FULL_MESSAGES = 10_000


def _build_accounts(n_accounts: int) -> list[tuple[str, list[str]]]:
    from accounts.models import Account, Contact

    Account.objects.filter(external_id__startswith=PREFIX).delete()
    Account.objects.bulk_create(
        [
            Account(external_id=f"{PREFIX}{i}", name=f"Bench mail {i}", domain=f"acct{i}.example")
            for i in range(n_accounts)
        ],
        batch_size=2000,
    )
    ids = dict(Account.objects.filter(external_id__startswith=PREFIX).values_list("external_id", "pk"))
    contacts = []
    for i in range(n_accounts):
        for j in range(3):
            contacts.append(
                Contact(
                    external_id=f"{PREFIX}{i}-{j}",
                    account_id=ids[f"{PREFIX}{i}"],
                    email=f"person{j}@acct{i}.example",
                    name=f"Person {j}",
                )
            )
    Contact.objects.bulk_create(contacts, batch_size=5000)
    return [(f"acct{i}.example", [f"person{j}@acct{i}.example" for j in range(3)]) for i in range(n_accounts)]


def _burst(n: int, accounts, now: datetime) -> list[bytes]:
    rng = random.Random(21)
    raws: list[bytes] = []
    ids: list[str] = []
    for k in range(n):
        domain, people = rng.choice(accounts)
        roll = rng.random()
        if roll < 0.60:
            sender, to = rng.choice(people), "csm@team.example"
        elif roll < 0.75:
            sender, to = f"new{k}@{domain}", "csm@team.example"
        elif roll < 0.85:
            sender, to = f"someone{k}@elsewhere{k % 97}.example", "csm@team.example"
        elif roll < 0.90:
            sender, to = "ann@team.example", "bo@team.example"
        else:
            sender, to = "csm@team.example", rng.choice(people)
        message = EmailMessage()
        message["From"] = sender
        message["To"] = to
        message["Subject"] = f"Bench message {k}"
        message["Date"] = format_datetime(now - timedelta(minutes=n - k))
        message_id = f"<bench-{k}-{rng.random()}@bench.example>"
        message["Message-ID"] = message_id
        if ids and rng.random() < 0.10:
            parent = rng.choice(ids)
            message["In-Reply-To"] = parent
            message["References"] = parent
        body = f"Hello, this is message {k}. " + "Some words about the renewal and the roadmap. " * rng.randint(1, 20)
        message.set_content(body)
        if rng.random() < 0.2:
            message.add_alternative(f"<p>{body}</p><script>alert(1)</script>", subtype="html")
        ids.append(message_id)
        raws.append(message.as_bytes())
    return raws


def _clear() -> None:
    from accounts.models import Activity
    from conversations.models import MailMessage, MailThread, ThreadKey

    Activity.objects.filter(kind="email", account__external_id__startswith=PREFIX).delete()
    MailMessage.objects.all().delete()
    ThreadKey.objects.all().delete()
    MailThread.objects.all().delete()


def run(args) -> None:
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    switch_database("conversations")
    from accounts.models import Account
    from conversations.email import email_ingest
    from conversations.email.ingest import ingest_context
    from conversations.models import InboundSettings, MailMessage

    n = max(200, int(FULL_MESSAGES * args.scale))
    n_accounts = max(20, n // 10)
    now = datetime.now(tz=UTC)
    if Account.objects.filter(external_id__startswith=PREFIX).count() != n_accounts:
        started = time.perf_counter()
        accounts = _build_accounts(n_accounts)
        print(f"built {n_accounts:,} accounts, {3 * n_accounts:,} contacts in {time.perf_counter() - started:.1f} s")
    else:
        accounts = [(f"acct{i}.example", [f"person{j}@acct{i}.example" for j in range(3)]) for i in range(n_accounts)]
    config = InboundSettings.load()
    config.team_domains = ["team.example"]
    config.save()
    raws = _burst(n, accounts, now)
    _clear()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    statuses: dict[str, int] = {}
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        for start in range(0, n, 50):  # one settings read per 50 messages, as the IMAP poller reads them
            context = ingest_context()
            for raw in raws[start : start + 50]:
                result = email_ingest(raw, source="inbound", context=context)
                statuses[result.status] = statuses.get(result.status, 0) + 1
        burst_s = time.perf_counter() - started
    print(
        f"inbound burst: {n:,} e-mails in {burst_s:.2f} s = {n / burst_s:,.0f} e-mails/s, "
        f"{len(queries) / n:.1f} queries per e-mail; " + ", ".join(f"{k} {v:,}" for k, v in sorted(statuses.items()))
    )
    stored = MailMessage.objects.count()

    started = time.perf_counter()
    context = ingest_context()
    duplicates = sum(1 for raw in raws if email_ingest(raw, source="imap", context=context).status == "duplicate")
    again_s = time.perf_counter() - started
    print(
        f"the same burst again: {again_s:.2f} s = {n / again_s:,.0f} e-mails/s, {duplicates:,} duplicates "
        f"(must be {n:,}); rows {MailMessage.objects.count():,} (must stay {stored:,})"
    )

    rows = list(MailMessage.objects.all())
    MailMessage.objects.all().delete()
    for row in rows:
        row.pk = None
        row.activity_id = None
    started = time.perf_counter()
    MailMessage.objects.bulk_create(rows, batch_size=1000)
    baseline_s = time.perf_counter() - started
    print(
        f"baseline, plain INSERT of the same {len(rows):,} rows: {baseline_s:.2f} s = "
        f"{len(rows) / baseline_s:,.0f} rows/s; "
        f"email_ingest takes {ratio(burst_s, baseline_s)} the time"
    )
    _clear()
