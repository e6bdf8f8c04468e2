"""The soak's data (run in its own process with DATABASE_URL pointing at the soak database):
migrate, seed a demo of SOAK_ACCOUNTS accounts, give each of SOAK_CSMS CSM users a book of
accounts, log them in (session cookies, as a browser would hold them), make an ingest key and a
widget workspace whose NPS survey nobody has been asked yet, with contacts that have never been
asked. Writes the plan (JSON) the load generator reads; Django stays out of the load generator."""

import json
import os
import sys
from datetime import timedelta

PREFIX = "soak"


def main(plan_path: str) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "csplatform.settings")
    django.setup()

    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone

    from accounts.models import Account, Contact
    from core.choices import Role
    from core.models import User
    from core.services import api_key_create
    from surveys.models import Survey, SurveyDelivery, SurveyWorkspace

    accounts = int(os.environ.get("SOAK_ACCOUNTS", "2000"))
    csms = int(os.environ.get("SOAK_CSMS", "50"))
    answer_contacts = int(os.environ.get("SOAK_ANSWER_CONTACTS", "4000"))

    call_command("migrate", "--noinput", verbosity=0)
    if not Account.objects.exists():
        call_command("seed_demo", "--accounts", str(accounts), "--seed", "42", verbosity=0)
    else:
        # A kept database (SOAK_KEEP_DB=1): earlier runs' events go, so each run starts from the
        # demo's day (the rollups recompute a touched account's whole day).
        from usage.models import UsageEvent
        from usage.rollups import usage_rollup_rebuild

        since = timezone.now() - timedelta(days=3)
        old = UsageEvent.objects.filter(message_id__startswith=f"{PREFIX}-", occurred_at__gte=since)
        days = sorted(old.dates("occurred_at", "day"))
        if days:
            old._raw_delete(old.db)
            usage_rollup_rebuild(start=days[0], end=days[-1])

    users = []
    for i in range(1, csms + 1):
        user, _ = User.objects.get_or_create(
            username=f"{PREFIX}-csm-{i:02d}", defaults={"role": Role.CSM, "email": f"csm{i}@soak.example"}
        )
        users.append(user)
    account_ids = list(Account.objects.order_by("id").values_list("id", flat=True))
    books: dict[int, list[int]] = {u.id: [] for u in users}
    for index, account_id in enumerate(account_ids):
        books[users[index % len(users)].id].append(account_id)
    for user in users:
        Account.objects.filter(id__in=books[user.id]).update(owner=user)

    sessions = []
    for user in users:
        client = Client()
        client.force_login(user)
        sessions.append(
            {
                "user": user.username,
                "cookie": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "accounts": books[user.id],
            }
        )

    _key, ingest_key = api_key_create(name=f"{PREFIX} ingest", scope="ingest")

    origin = "https://app.soak.example"
    workspace, _ = SurveyWorkspace.objects.get_or_create(name=f"{PREFIX} product", defaults={"allowed_origins": origin})
    Survey.objects.get_or_create(
        name=f"{PREFIX} NPS",
        defaults={
            "kind": "nps",
            "status": "active",
            "workspace": workspace,
            "trigger": "page_view",
            "sample_percent": 100,
            "starts_at": timezone.now() - timedelta(days=1),
        },
    )
    # Respondents: contacts of our own that were never asked (a kept database's earlier runs
    # asked some), topped up to SOAK_ANSWER_CONTACTS.
    ours = Contact.objects.filter(external_id__startswith=f"{PREFIX}-c-")
    fresh = ours.exclude(id__in=SurveyDelivery.objects.filter(contact__isnull=False).values("contact_id"))
    missing = max(0, answer_contacts - fresh.count())
    first = ours.count()
    Contact.objects.bulk_create(
        [
            Contact(
                external_id=f"{PREFIX}-c-{i:06d}",
                account_id=account_ids[i % len(account_ids)],
                name=f"Soak contact {i}",
                email=f"c{i}@soak.example",
            )
            for i in range(first, first + missing)
        ],
        batch_size=2000,
    )
    respondents = [
        {"user_id": ext, "user_hash": workspace.user_hash(ext), "account": account_id}
        for ext, account_id in fresh.order_by("id").values_list("external_id", "account_id")[:answer_contacts]
    ]
    # Events go to the accounts' own contacts (the demo's), by external id.
    event_targets = list(
        Contact.objects.exclude(external_id__startswith=f"{PREFIX}-")
        .filter(account__isnull=False)
        .order_by("id")
        .values_list("account__external_id", "external_id")[:5000]
    )

    plan = {
        "sessions": sessions,
        "session_cookie": settings.SESSION_COOKIE_NAME,
        "ingest_key": ingest_key,
        "workspace": workspace.key,
        "origin": origin,
        "respondents": respondents,
        "event_targets": event_targets,
    }
    with open(plan_path, "w") as fh:
        json.dump(plan, fh)
    print(
        f"prepared: {len(account_ids)} accounts, {len(users)} CSMs, {len(respondents)} respondents, "
        f"{len(event_targets)} event targets",
        flush=True,
    )


if __name__ == "__main__":
    main(sys.argv[1])
