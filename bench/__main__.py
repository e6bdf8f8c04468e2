"""`make bench`: run every benchmark module (bench/bench_*.py) and print its figures.

Each module has `run(args) -> None` and prints its own lines: a figure, the baseline measured
in the same run, and the ratio. Benchmarks run against PostgreSQL (BENCH_DATABASE_URL,
default postgres://postgres@127.0.0.1:5432/bench, created if missing) and never against the
developer's own database.

    make bench                         # all
    make bench BENCH_ARGS="--only ingest --scale 0.1"
    make bench-smoke                   # all at --scale 0.001 --smoke: only that they still run
"""

import argparse
import importlib
import os
import pkgutil
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent


def main() -> int:
    parser = argparse.ArgumentParser(prog="make bench")
    parser.add_argument("--only", action="append", default=[], help="run only these modules (name without bench_)")
    parser.add_argument(
        "--scale", type=float, default=1.0, help="fraction of the full data size (1.0 = as the issues ask)"
    )
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="`make bench-smoke`: lower the fixed floors (short wrk runs, small batches, one repeat) so every "
        "bench runs in seconds; the figures mean nothing",
    )
    parser.add_argument(
        "--baseline-tree",
        help="pages: also measure another checkout (its .venv, its own database <bench db>_baseline) in the "
        "same run and print per page queries, CPU and wall time before -> after",
    )
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "csplatform.settings")
    # Benches run with DEBUG=0 as production does, but over plain HTTP on loopback (the test
    # client, gunicorn + wrk): no HTTPS redirect, and cookies that plain HTTP sends back.
    for name in ("SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE"):
        os.environ.setdefault(name, "0")
    sys.path.insert(0, str(BENCH_DIR.parent))

    from bench.setup import prepare_database, restore_database

    prepare_database()
    names = sorted(m.name for m in pkgutil.iter_modules([str(BENCH_DIR)]) if m.name.startswith("bench_"))
    if args.only:
        names = [n for n in names if n.removeprefix("bench_") in args.only]
    for name in names:
        module = importlib.import_module(f"bench.{name}")
        print(f"\n=== {name.removeprefix('bench_')} " + "=" * 60, flush=True)
        started = time.perf_counter()
        try:
            module.run(args)
        finally:
            restore_database()  # a bench that switched to a database of its own must not leak it
        print(f"--- {name.removeprefix('bench_')} took {time.perf_counter() - started:.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
