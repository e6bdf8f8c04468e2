"""The account 360 page and its success plan page, quickly, in one tree: server CPU per request
(`time.process_time`, median of 10 after a warm-up) and queries, as csm1 on their largest account
of a demo made by `bench --only pages` (docs/perf/pages.md). Run from the tree to measure, with
its interpreter and its database; alternate two trees to compare them:

    for i in 1 2 3; do
      (cd /work/wt/h1old && DATABASE_URL=…/h3_old_pages .venv/bin/python /work/wt/h3/bench/pages_pair.py)
      (cd /work/wt/h3 && DATABASE_URL=…/h3_pages_pages .venv/bin/python bench/pages_pair.py)
    done

(with DEBUG=0, SECRET_KEY and PULSE_CONNECTOR_KEY as for the bench). Prints one line: RESULT {json}."""

import json
import os
import statistics
import sys
import time


def main() -> None:
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # bench/standalone.py of this script's tree
    from standalone import setup_django

    setup_django()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import Account
    from core.models import User

    csm = User.objects.get(username="csm1")
    pk = Account.objects.filter(owner=csm).order_by("-mrr").values_list("pk", flat=True).first()
    client = Client()
    client.force_login(csm)
    out = {}
    for label, url in (("account 360", f"/accounts/{pk}/"), ("success plan", f"/success/accounts/{pk}/")):
        assert client.get(url).status_code == 200  # warm-up
        cpus = []
        for _ in range(10):
            with CaptureQueriesContext(connection) as ctx:
                started = time.process_time()
                response = client.get(url)
                cpus.append(time.process_time() - started)
        out[label] = {
            "cpu": round(statistics.median(cpus) * 1000, 1),
            "queries": len(ctx.captured_queries),
            "kb": round(len(response.content) / 1024),
        }
    print("RESULT " + json.dumps(out))


if __name__ == "__main__":
    main()
