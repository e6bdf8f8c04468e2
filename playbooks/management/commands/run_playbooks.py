"""`run_playbooks [--as-of YYYY-MM-DD] [--playbook ID ...] [--account EXTERNAL_ID ...] [--dry-run]`

Evaluates the enabled playbooks now (what the nightly run does after the health recompute).
Safe to run any number of times: an occurrence already acted on does nothing again."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Account
from playbooks.choices import RunSource
from playbooks.evaluation import SKIP_LABELS, playbook_evaluate
from playbooks.models import Playbook
from playbooks.services import playbooks_run, task_reopen_snoozed


class Command(BaseCommand):
    help = "Evaluate the enabled playbooks (nightly does this after the health recompute)."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="Evaluate as of this day (YYYY-MM-DD, UTC); default today.")
        parser.add_argument("--playbook", type=int, action="append", help="Only this playbook id (repeatable).")
        parser.add_argument("--account", action="append", help="Only this account external id (repeatable).")
        parser.add_argument("--dry-run", action="store_true", help="Show who would enrol; write nothing.")

    def handle(self, *args, **options):
        as_of = None
        if options["as_of"]:
            try:
                as_of = date.fromisoformat(options["as_of"])
            except ValueError as exc:
                raise CommandError(f"--as-of must be YYYY-MM-DD, not {options['as_of']!r}") from exc
        playbook_ids = options["playbook"]
        if playbook_ids:
            missing = set(playbook_ids) - set(Playbook.objects.filter(pk__in=playbook_ids).values_list("pk", flat=True))
            if missing:
                raise CommandError(f"No playbook with id {', '.join(map(str, sorted(missing)))}")
        account_ids = None
        if options["account"]:
            found = dict(Account.objects.filter(external_id__in=options["account"]).values_list("external_id", "pk"))
            missing = set(options["account"]) - set(found)
            if missing:
                raise CommandError(f"No account with external id {', '.join(sorted(missing))}")
            account_ids = list(found.values())

        if options["dry_run"]:
            playbooks = Playbook.objects.enabled().order_by("id")
            if playbook_ids:
                playbooks = playbooks.filter(pk__in=playbook_ids)
            for playbook in playbooks:
                result = playbook_evaluate(playbook=playbook, as_of=as_of, account_ids=account_ids, dry_run=True)
                self.stdout.write(f"{playbook.name}: {result.matched} matched, {result.enrolled} would enrol")
                for row in result.preview[:20]:
                    self.stdout.write(f"  {row.account_name}: {row.reason} [{row.status}]")
            return

        if account_ids is None:
            reopened = task_reopen_snoozed(today=as_of)
            if reopened:
                self.stdout.write(f"{reopened} snoozed task(s) are open again")
        results = playbooks_run(
            as_of=as_of, source=RunSource.MANUAL, account_ids=account_ids, playbook_ids=playbook_ids
        )
        failed = 0
        for r in results:
            skipped = ", ".join(f"{n} {SKIP_LABELS.get(k, k)}" for k, n in r.skipped.items())
            status = r.run.status if r.run else "?"
            failed += status == "failed"
            self.stdout.write(
                f"{r.playbook.name}: {r.matched} matched, {r.enrolled} enrolled"
                + (f" ({skipped})" if skipped else "")
                + (" [trigger data unavailable]" if r.unavailable else "")
            )
        enabled = Playbook.objects.enabled()
        enabled = (enabled.filter(pk__in=playbook_ids) if playbook_ids else enabled).count()
        failed += enabled - len(results)
        total = sum(r.enrolled for r in results)
        self.stdout.write(self.style.SUCCESS(f"{len(results)} playbook(s) evaluated, {total} enrolment(s)"))
        if failed:
            raise CommandError(f"{failed} playbook run(s) failed; see their run log")
