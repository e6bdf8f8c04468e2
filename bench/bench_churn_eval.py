"""Issue 19's table in one command: on each dataset, the pooled ROC AUC of the default scorecard
and of the naive count of the last 30 days' events, then on the later days of a time split
(nothing fitted on them) those two beside the suggested weights and the learned model:

    make health-eval-all [DATA=/tmp/socialnet7]
    # = BENCH_DATABASE_URL=... python -m bench --only churn_eval   (DATA read from CHURN_EVAL_DATA)

An evaluation, not a speed figure: it runs only when asked by name (`--only churn_eval`), and
in `make bench-smoke` on tiny data so it cannot rot. Each dataset gets a database of its own,
emptied first (`<bench db>_eval_<name>`):
- demo: `seed_demo --accounts 1000 --seed 42`, every observation day recomputed with the
  current default scorecard;
- bench: bench_churn's generator (5,000 accounts, weekly snapshots whose signal measures fade
  before an account churns; no usage events, so the naive count is 0.5), its own scorecard;
- fightchurn: the socialnet7 simulation exported by bench/datasets/fightchurn_export.py in the
  directory CHURN_EVAL_DATA, loaded through the API (`health_dataset_load --format fightchurn`),
  skipped when the variable is unset.
"""

import os
import time
from datetime import timedelta

from bench.setup import restore_database, switch_database

HORIZON = 31
DEMO_ACCOUNTS = 1000
BENCH_ACCOUNTS = 5000
# Observation days per dataset (every 7 days back from the data's last day - horizon).
DATES = {"demo": 12, "bench": 20, "fightchurn": 14}


def _empty(suffix: str) -> str:
    from django.core.management import call_command

    name = switch_database(f"eval_{suffix}")
    call_command("flush", interactive=False, verbosity=0)
    return name


def _evaluate(*, last_day, dates: int, rebuild: bool) -> dict:
    from health.evaluation import evaluation_days, evaluation_run

    days = evaluation_days(last_day=last_day, dates=dates, horizon=HORIZON)
    return evaluation_run(days=days, horizon=HORIZON, rebuild=rebuild)


def _demo(smoke: bool) -> dict:
    from django.core.management import call_command

    from health.evaluation import data_last_day

    accounts = 60 if smoke else DEMO_ACCOUNTS
    _empty("demo")
    call_command("seed_demo", accounts=accounts, seed=42, verbosity=0)
    return {
        "dataset": f"demo (`seed_demo --accounts {accounts} --seed 42`)",
        **_evaluate(last_day=data_last_day(), dates=DATES["demo"], rebuild=True),
    }


def _bench(smoke: bool) -> dict:
    from bench.bench_churn import _generate
    from health.services import today

    accounts = 200 if smoke else BENCH_ACCOUNTS
    _empty("bench")
    _generate(accounts, lambda m: None)
    # The generator's snapshots run weekly up to today: the last observation day is today.
    last = today() + timedelta(days=HORIZON)
    return {
        "dataset": f"bench_churn data ({accounts:,} accounts, no usage events)",
        **_evaluate(last_day=last, dates=DATES["bench"], rebuild=False),
    }


def _fightchurn(path: str) -> dict:
    from django.core.management import call_command

    from health.evaluation import data_last_day

    _empty("fightchurn")
    call_command(
        "health_dataset_load", path, format="fightchurn", dates=DATES["fightchurn"], horizon=HORIZON, verbosity=0
    )
    meta = os.path.join(path, "meta.json")
    name = "fight-churn socialnet7"
    if os.path.exists(meta):
        import json

        with open(meta) as f:
            m = json.load(f)
        name += f" (--customers {m.get('customers')} --seed {m.get('seed')})"
    return {"dataset": name, **_evaluate(last_day=data_last_day(), dates=DATES["fightchurn"], rebuild=False)}


def _auc(value) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def table(results: list[dict]) -> list[str]:
    """The markdown table of docs/health.md, one row per dataset."""
    lines = [
        "| dataset | pooled: observations (accounts, churned) | default | events 30 d "
        "| held out: observations (churned), from | default | events 30 d | suggested | learned |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in results:
        rows = {row["key"]: row["auc"] for row in r["rows"]}
        h = r["held_out"]
        held = "n/a (short history)"
        if h.get("test_start"):
            held = f"{h['n_test']:,} ({h['churned_test']}), {h['test_start']}"
        lines.append(
            f"| {r['dataset']} | {r['observations']:,} ({r['accounts']:,}, {r['churned']}) "
            f"| {_auc(rows.get('scorecard'))} | {_auc(rows.get('events_30d'))} | {held} "
            f"| {_auc(h.get('default'))} | {_auc(h.get('naive_events'))} | {_auc(h.get('suggested'))} "
            f"| {_auc(h.get('learned'))} |"
        )
    return lines


def run(args) -> None:
    if "churn_eval" not in args.only and not args.smoke:
        print("an evaluation, not a timing: run it with `make health-eval-all` (--only churn_eval)")
        return
    data = os.environ.get("CHURN_EVAL_DATA", "")
    steps = [("demo", lambda: _demo(args.smoke)), ("bench", lambda: _bench(args.smoke))]
    if data:
        steps.append(("fightchurn", lambda: _fightchurn(data)))
    else:
        print("fightchurn: skipped (CHURN_EVAL_DATA=directory of the socialnet7 export, docs/health.md)")
    results = []
    for name, step in steps:
        started = time.perf_counter()
        try:
            results.append(step())
        finally:
            restore_database()
        print(f"{name}: built and evaluated in {time.perf_counter() - started:.0f} s", flush=True)
    print(f"horizon {HORIZON} days; held out = the later days of a time split (health.backtest.time_split)")
    for line in table(results):
        print(line)
