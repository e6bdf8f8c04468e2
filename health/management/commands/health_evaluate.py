"""`health_evaluate [--dates 8] [--horizon 31] [--step 7] [--last-day YYYY-MM-DD] [--rebuild] [--json]`."""

import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from health.evaluation import data_last_day, evaluation_days, evaluation_run

HELD_OUT_COLUMNS = (
    ("default", "Default scorecard"),
    ("naive_events", "Events in the last 30 days"),
    ("suggested", "Suggested weights"),
    ("learned", "Learned model"),
)


class Command(BaseCommand):
    help = (
        "Pooled ROC AUC of health against future churn over several observation days: the default "
        "scorecard, the naive 30-day event count (and any other registered evaluator); then on the later "
        "days of a time split, those two beside the suggested weights and the learned model fitted on the "
        "earlier days."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dates", type=int, default=8)
        parser.add_argument("--horizon", type=int, default=31)
        parser.add_argument("--step", type=int, default=7)
        parser.add_argument("--last-day", dest="last_day", help="the data's last day (default: the last with usage)")
        parser.add_argument("--rebuild", action="store_true", help="recompute each observation day first")
        parser.add_argument("--json", action="store_true", help="print the result as JSON")

    def handle(self, *args, dates=8, horizon=31, step=7, last_day=None, rebuild=False, **options):
        if dates < 1 or horizon < 1 or step < 1:
            raise CommandError("--dates, --horizon and --step must be at least 1")
        try:
            last = date.fromisoformat(last_day) if last_day else data_last_day()
        except ValueError as exc:
            raise CommandError(f"--last-day: {last_day!r} is not a YYYY-MM-DD date") from exc
        if last is None:
            raise CommandError("No usage data: load a dataset first (health_dataset_load).")
        days = evaluation_days(last_day=last, dates=dates, horizon=horizon, step=step)
        log = self.stdout.write if options["verbosity"] > 1 else None
        result = evaluation_run(days=days, horizon=horizon, rebuild=rebuild, log=log)
        if options["json"]:
            self.stdout.write(json.dumps(result, indent=2))
            return
        self.stdout.write(
            f"{len(days)} days {days[0]} .. {days[-1]}, horizon {horizon} days: "
            f"{result['observations']} observations of {result['accounts']} accounts, {result['churned']} churned"
        )
        for row in result["rows"]:
            value = "n/a" if row["auc"] is None else f"{row['auc']:.3f}"
            self.stdout.write(f"  {row['label']:<40} AUC {value}")
        held = result["held_out"]
        if held.get("test_start"):
            self.stdout.write(
                f"held out (fitted before, measured from {held['test_start']}): {held['n_test']} observations, "
                f"{held['churned_test']} churned"
            )
            for key, label in HELD_OUT_COLUMNS:
                value = "n/a" if held[key] is None else f"{held[key]:.3f}"
                self.stdout.write(f"  {label:<40} AUC {value}")
        else:
            self.stdout.write("held out: the days are too few for a time split (try more --dates)")
        short = result["insufficient_history"]
        value = "n/a" if short["auc_scorecard"] is None else f"{short['auc_scorecard']:.3f}"
        self.stdout.write(
            f"  insufficient history (apart): {short['observations']} observations, "
            f"{short['churned']} churned, scorecard AUC {value}"
        )
