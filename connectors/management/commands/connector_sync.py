"""`manage.py connector_sync NAME [--full] [--dry-run] [--retry]`: run one sync of a connection
here and now (not on the queue) and print its counts; exit status 1 when the run failed."""

from django.core.management.base import BaseCommand, CommandError

from connectors.models import Connection, SyncRun
from connectors.sync import sync_run_execute


class Command(BaseCommand):
    help = "Run one sync of a connection and print its counts."

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("--full", action="store_true", help="pull everything, not only what changed")
        parser.add_argument("--dry-run", action="store_true", help="fetch and compare, write nothing")
        parser.add_argument("--retry", action="store_true", help="retry the failed records of the last run")

    def handle(self, *args, **opts):
        connection = Connection.objects.filter(name=opts["name"]).first()
        if connection is None:
            names = ", ".join(Connection.objects.values_list("name", flat=True)) or "none"
            raise CommandError(f"no connection named {opts['name']!r} (connections: {names})")
        retry_of = None
        if opts["retry"]:
            retry_of = connection.runs.filter(failures__resolved_at__isnull=True).distinct().first()
            if retry_of is None:
                raise CommandError("no failed records to retry")
        run = SyncRun.objects.create(
            connection=connection, full=opts["full"], dry_run=opts["dry_run"], retry_of=retry_of
        )
        run = sync_run_execute(run=run)
        counts = " ".join(f"{k}={v}" for k, v in run.counts().items())
        took = (run.finished_at - run.started_at).total_seconds()
        line = f"{connection.name}: {run.status}{' (dry run)' if run.dry_run else ''} {counts} in {took:.1f} s"
        if run.status != "succeeded":
            self.stdout.write(line)
            raise CommandError(run.reason)
        self.stdout.write(line)
