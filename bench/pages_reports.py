"""The CSM home page and the dashboard, quickly, in one tree: server CPU per request
(`time.process_time`, median of ROUNDS after a warm-up) and queries, as csm1 on a demo made by
`bench --only pages` (docs/perf/pages.md). Run from the tree to measure, with its interpreter
and its database; alternate two trees to compare them (as bench/pages_pair.py):

    for i in 1 2 3; do
      (cd /work/wt/h1old && DATABASE_URL=…/h2_old_pages .venv/bin/python /work/wt/h2/bench/pages_reports.py)
      (cd /work/wt/h2 && DATABASE_URL=…/h2_pages_pages .venv/bin/python bench/pages_reports.py)
    done

(with DEBUG=0, SECRET_KEY and PULSE_CONNECTOR_KEY as for the bench). `PROFILE=home` (or
`dashboard`) prints the cProfile of that page's timed requests instead; `COLD=1` empties the
cache before each timed request (the once-a-minute recomputation). Prints RESULT {json}."""

import cProfile
import json
import os
import pstats
import statistics
import sys
import time


def main() -> None:
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # bench/standalone.py of this script's tree
    from standalone import setup_django

    settings = setup_django()
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from core.models import User

    if not settings.DEBUG:  # as deployed (and as bench_pages): hashed static names from the manifest
        from django.core.management import call_command

        call_command("collectstatic", interactive=False, verbosity=0)
    rounds = int(os.environ.get("ROUNDS", "10"))
    profile = os.environ.get("PROFILE", "")
    cold = os.environ.get("COLD") == "1"
    client = Client()
    client.force_login(User.objects.get(username="csm1"))
    out = {}
    for label, url in (("home", "/"), ("dashboard", "/dashboard/")):
        assert client.get(url).status_code == 200  # warm-up
        profiler = cProfile.Profile(time.process_time) if profile == label else None
        cpus = []
        for _ in range(rounds):
            if cold:
                cache.clear()
            with CaptureQueriesContext(connection) as ctx:
                if profiler:
                    profiler.enable()
                started = time.process_time()
                response = client.get(url)
                cpus.append(time.process_time() - started)
                if profiler:
                    profiler.disable()
        out[label] = {
            "cpu": round(statistics.median(cpus) * 1000, 1),
            "queries": len(ctx.captured_queries),
            "kb": round(len(response.content) / 1024),
        }
        if profiler:
            stats = pstats.Stats(profiler)
            stats.sort_stats("cumulative").print_stats(int(os.environ.get("PROFILE_LINES", "60")))
            stats.sort_stats("tottime").print_stats(30)
    print("RESULT " + json.dumps(out))


if __name__ == "__main__":
    main()
