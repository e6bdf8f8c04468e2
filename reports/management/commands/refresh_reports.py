from datetime import date

from django.core.management.base import BaseCommand, CommandError

from reports.services import reports_refresh


class Command(BaseCommand):
    help = "Rebuild the dashboards' pre-aggregates (metric cube, cohorts, health trend) now."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="YYYY-MM-DD (default: today, UTC)")

    def handle(self, *args, **options):
        as_of = None
        if options["as_of"]:
            try:
                as_of = date.fromisoformat(options["as_of"])
            except ValueError as exc:
                raise CommandError("--as-of must be YYYY-MM-DD") from exc
        log = reports_refresh(as_of=as_of)
        seconds = (log.finished_at - log.started_at).total_seconds()
        self.stdout.write(f"Refreshed {log.periods} periods, {log.rows} rows as of {log.as_of} in {seconds:.1f} s")
