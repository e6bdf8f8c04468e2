"""`recompute_health [--as-of YYYY-MM-DD] [--backfill DAYS] [--account EXTERNAL_ID]`."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Account
from health.services import health_backfill, health_recompute, today


class Command(BaseCommand):
    help = "Recompute health scores as of a day (every window ends that day), or backfill the last DAYS days."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", dest="as_of", help="YYYY-MM-DD (default: today, UTC)")
        parser.add_argument("--backfill", type=int, default=0, help="also rebuild the DAYS days ending --as-of")
        parser.add_argument("--account", action="append", default=[], help="only this account (external id)")

    def handle(self, *args, as_of=None, backfill=0, account=(), **options):
        try:
            day = date.fromisoformat(as_of) if as_of else today()
        except ValueError as exc:
            raise CommandError(f"--as-of: {as_of!r} is not a YYYY-MM-DD date") from exc
        if day > today():
            raise CommandError(f"--as-of: {day} is in the future")
        if backfill < 0 or backfill > 3660:
            raise CommandError("--backfill: DAYS must be between 0 and 3660")
        ids = None
        if account:
            found = dict(Account.objects.filter(external_id__in=account).values_list("external_id", "id"))
            missing = sorted(set(account) - set(found))
            if missing:
                raise CommandError(f"--account: unknown external id(s): {', '.join(missing)}")
            ids = list(found.values())
        if backfill:
            if ids is not None:
                raise CommandError("--backfill recomputes every account; drop --account")
            n = health_backfill(
                days=backfill, end=day, log=lambda m: self.stdout.write(m) if options["verbosity"] > 1 else None
            )
            self.stdout.write(self.style.SUCCESS(f"Backfilled {backfill} days ending {day}: {n} snapshots."))
            return
        result = health_recompute(as_of=day, account_ids=ids)
        self.stdout.write(
            self.style.SUCCESS(
                f"Scored {len(result.scored)} accounts as of {day}; {len(result.band_changes)} band changes."
            )
        )
