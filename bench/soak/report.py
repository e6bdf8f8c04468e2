"""The soak's figures (run with DATABASE_URL pointing at the soak database): p50 / p95 / p99 and
the server's CPU per page and endpoint, errors, rows stored against rows sent, health freshness.
Exit status 1 when a request failed or a row sent is not stored exactly once, so `make soak`
fails loudly; the latency targets are printed against their figures but do not fail the run
(they depend on the machine; docs/perf/soak.md)."""

import json
import os
import sys
from collections import defaultdict
from pathlib import Path

PAGE_P95_MS = 250
INGEST_P99_MS = 2000
FRESHNESS_P95_S = 10


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))
    return ordered[int(rank) - 1]


def _django() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "csplatform.settings")
    django.setup()


def account_count() -> int:
    _django()
    from accounts.models import Account

    return Account.objects.count()


def stored_counts(run_id: str, respondents: list[str]) -> dict:
    _django()
    from surveys.models import SurveyResponse
    from usage.models import UsageEvent

    prefix = f"soak-{run_id}-"
    events = UsageEvent.objects.filter(message_id__startswith=prefix)
    return {
        "events": events.count(),
        "events_distinct": events.values("message_id").distinct().count(),
        "answers": SurveyResponse.objects.filter(contact__external_id__in=respondents, channel="widget").count(),
    }


def main(results_path: str, settings_line: str, cpu_path: str | None = None) -> int:
    with open(results_path) as fh:
        results = json.load(fh)
    by_name: dict[str, list] = defaultdict(list)
    for name, status, ms, cpu, *app in results["rows"]:
        by_name[name].append((status, ms, cpu, app[0] if app else None))
    seconds = results["seconds"]
    print(f"\nsoak run {results['run']}: {seconds:.0f} s; {settings_line}")
    header = f"{'page / endpoint':<22}{'requests':>9}{'per s':>7}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}"
    header += f"{'cpu p50':>9}{'cpu p95':>9}{'app p50':>9}{'app p95':>9}{'errors':>8}  target"
    print(header)
    print("-" * len(header))
    failures = []
    for name in sorted(by_name):
        rows = by_name[name]
        ms = [r[1] for r in rows]
        cpu = [r[2] for r in rows if r[2] is not None]
        app = [r[3] for r in rows if r[3] is not None]
        errors = sum(1 for r in rows if r[0] == 0 or r[0] >= 400)
        p95, p99 = percentile(ms, 95), percentile(ms, 99)
        if name.startswith("page "):
            target = f"p95 < {PAGE_P95_MS}: {'met' if p95 < PAGE_P95_MS else 'MISSED'}"
        elif name.startswith("ingest "):
            target = f"p99 < {INGEST_P99_MS}: {'met' if p99 < INGEST_P99_MS else 'MISSED'}"
        else:
            target = ""
        cpu50 = f"{percentile(cpu, 50):.0f}" if cpu else "-"
        cpu95 = f"{percentile(cpu, 95):.0f}" if cpu else "-"
        app50 = f"{percentile(app, 50):.0f}" if app else "-"
        app95 = f"{percentile(app, 95):.0f}" if app else "-"
        print(
            f"{name:<22}{len(rows):>9}{len(rows) / seconds:>7.1f}{percentile(ms, 50):>9.0f}{p95:>9.0f}{p99:>9.0f}"
            f"{max(ms):>9.0f}{cpu50:>9}{cpu95:>9}{app50:>9}{app95:>9}{errors:>8}  {target}"
        )
    pages = [r for name, rows in by_name.items() if name.startswith("page ") for r in rows]
    print(f"pages in all: {len(pages)} ({len(pages) / seconds:.1f}/s)")
    print("cpu: the server's CPU time for the request (its thread); app: its time inside Django; the rest of")
    print("the latency was spent waiting for a free worker (gunicorn's backlog) or in the load generator.")

    if cpu_path and os.path.exists(cpu_path):
        from bench.soak.cpu import format_table

        with open(cpu_path) as fh:
            cpu_data = json.load(fh)
        print(format_table(cpu_data))
        from bench.soak import tasklog

        window = cpu_data.get("wall") or [0.0, 0.0]
        print(
            tasklog.format_table(
                tasklog.read(Path(cpu_path).parent, (window[0], window[1])),
                cpu_data["seconds"],
                account_count(),
            )
        )

    errors = results["errors"]
    print(f"\nerrors: {len(errors)}")
    for line in errors[:20]:
        print(f"  {line}")
    if errors:
        failures.append(f"{len(errors)} request(s) failed")

    sent = results["sent"]
    respondents = [a["user_id"] for a in results["answered"]]
    stored = stored_counts(results["run"], respondents)
    accepted = sent["bulk_events"] + sent["segment_events"]
    posted = sent.get("events_sent", accepted)
    print(
        f"\nevents: sent {posted}, accepted {accepted} (bulk {sent['bulk_events']}, /v1/batch "
        f"{sent['segment_events']}), stored {stored['events']} ({stored['events_distinct']} distinct message ids)"
    )
    print(
        f"widget answers: accepted {sent['answers']}, stored {stored['answers']} "
        f"(respondents not eligible: {sent['not_eligible']})"
    )
    # Every accepted event stored, once; a batch whose answer timed out may be stored or not.
    if not accepted <= stored["events"] <= posted or stored["events_distinct"] != stored["events"]:
        failures.append(f"events: {accepted} accepted, {stored['events']} stored")
    if stored["answers"] != sent["answers"]:
        failures.append(f"answers: {sent['answers']} accepted, {stored['answers']} stored")

    fresh = list(results["freshness"].values())
    stale = len(respondents) - len(fresh)
    if respondents:
        # An answer whose account was never seen recomputed counts as slower than any seen.
        padded = fresh + [float("inf")] * stale
        p50, p95 = percentile(padded, 50), percentile(padded, 95)
        met = "met" if p95 < FRESHNESS_P95_S else "MISSED"
        print(
            f"health freshness after an answer: p50 {p50:.1f} s, p95 {p95:.1f} s, max "
            f"{max(fresh) if fresh else float('inf'):.1f} s over {len(fresh)} answers"
            f" ({stale} not recomputed within the wait); target p95 < {FRESHNESS_P95_S} s: {met}"
        )
    if failures:
        print("\nFAILED: " + "; ".join(failures))
        return 1
    print("\nOK: no errors, every row sent stored once")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(*sys.argv[1:4]))
