"""`seed_demo --accounts N --seed S [--if-empty] [--flush]`: a realistic, deterministic demo."""

import time

from django.core.management.base import BaseCommand, CommandError

from demo.run import DEMO_STEP_NAMES, demo_flush, demo_is_empty, run_demo


class Command(BaseCommand):
    help = "Seed demo data: the CS team, N customer accounts with 12 months of history, and every floor's demo."

    def add_arguments(self, parser):
        parser.add_argument("--accounts", type=int, default=200, help="number of customer accounts (default 200)")
        parser.add_argument("--seed", type=int, default=42, help="random seed: the same seed gives the same data")
        parser.add_argument("--if-empty", action="store_true", help="do nothing when accounts already exist")
        parser.add_argument("--flush", action="store_true", help="delete existing customer data first")
        parser.add_argument(
            "--only",
            action="append",
            default=[],
            metavar="STEP",
            help="run only these demo steps (repeatable; 'accounts' is always run)",
        )

    def handle(
        self, *args, accounts: int, seed: int, if_empty: bool, flush: bool, only: list[str], verbosity: int, **options
    ):
        if accounts < 1:
            raise CommandError("--accounts must be at least 1")
        if not demo_is_empty():
            if if_empty:
                self.stdout.write("Demo data already present; nothing to do (--if-empty).")
                return
            if not flush:
                raise CommandError("The database already has accounts. Use --flush to replace them, or --if-empty.")
            demo_flush(log=self._log(verbosity))
        known = DEMO_STEP_NAMES
        unknown = sorted(set(only) - set(known))
        if unknown:
            raise CommandError(f"Unknown demo step(s): {', '.join(unknown)}. Known: {', '.join(known)}")
        started = time.perf_counter()
        ctx = run_demo(
            n_accounts=accounts,
            seed=seed,
            log=self._log(verbosity),
            quiet=verbosity == 0,
            only=["accounts", *only] if only else None,
        )
        elapsed = time.perf_counter() - started
        totals = ctx.extra.get("totals", {})
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {len(ctx.extra['account_ids']):,} accounts and {totals.get('events', 0):,} events "
                f"(seed {seed}) in {elapsed:.1f} s."
            )
        )

    def _log(self, verbosity: int):
        def log(message: str) -> None:
            if verbosity >= 1:
                self.stdout.write(f"  {message}")

        return log
