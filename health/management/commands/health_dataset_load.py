"""`health_dataset_load --format fightchurn DIR [--url URL] [--dates 8 --horizon 31]`."""

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from core.choices import APIKeyScope
from core.services import api_key_create, api_key_revoke
from health.datasets import FORMATS, api_load
from health.datasets.load import DatasetError
from health.evaluation import evaluation_days
from health.recompute import scorecard_default_ensure, scorecard_default_events_pick
from usage.rollups import usage_rollup_rebuild


class Command(BaseCommand):
    help = (
        "Load a public churn dataset through the REST API (accounts, subscriptions, events/bulk with an "
        "API key), then rebuild health on the evaluation's observation days."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="the dataset's file or directory")
        parser.add_argument("--format", required=True, choices=sorted(FORMATS))
        parser.add_argument("--url", help="a running server's base URL (default: in-process, the same API)")
        parser.add_argument("--key", help="an API key with write scope (default: a temporary one, revoked after)")
        parser.add_argument("--dates", type=int, default=8, help="observation days to rebuild (0: none)")
        parser.add_argument("--horizon", type=int, default=31)
        parser.add_argument("--step", type=int, default=7)

    def handle(self, *args, path, format, url=None, key=None, dates=8, horizon=31, step=7, **options):
        if url and not key:
            raise CommandError("--url needs --key (a write-scope key of that server)")
        if dates < 0 or horizon < 1 or step < 1:
            raise CommandError("--dates must be >= 0, --horizon and --step >= 1")
        try:
            payloads = FORMATS[format](path)
        except (OSError, DatasetError) as exc:
            raise CommandError(str(exc)) from exc
        temporary = None
        if key is None:
            temporary, key = api_key_create(name=f"health_dataset_load {format}", scope=APIKeyScope.WRITE)
        log = self.stdout.write if options["verbosity"] > 1 else None
        try:
            counts = api_load(payloads=payloads, key=key, url=url, log=log)
        except DatasetError as exc:
            raise CommandError(str(exc)) from exc
        finally:
            if temporary is not None:
                api_key_revoke(key=temporary)
        self.stdout.write(
            f"Loaded {counts['accounts']} accounts, {counts['subscriptions']} subscriptions, "
            f"{counts['events']} events (data up to {payloads.last_day})."
        )
        if url or not dates:
            return
        # Ingest queues the rollups' refresh for a Celery worker: rebuild them here so the
        # recompute below does not depend on one running (idempotent).
        usage_rollup_rebuild(end=payloads.last_day)
        scorecard_default_ensure()
        scorecard_default_events_pick()
        for day in evaluation_days(last_day=payloads.last_day, dates=dates, horizon=horizon, step=step):
            call_command("recompute_health", as_of=day.isoformat(), stdout=self.stdout)
