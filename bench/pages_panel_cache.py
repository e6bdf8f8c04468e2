"""The account 360 page's cached panels (accounts/panel_cache.py, issue 23): server CPU
(`time.process_time`, median of 10) and queries as csm1 on their largest account, three ways in one
process, 3 rounds: panels live (`cache_vary` removed), cache miss (the version bumped before each
request), cache hit. Run from the tree on a pages bench database, as bench/pages_pair.py:

    DEBUG=0 SECRET_KEY=… PULSE_CONNECTOR_KEY=… DATABASE_URL=…/h5_pages REDIS_URL=redis://…/5 \\
        .venv/bin/python bench/pages_panel_cache.py

Prints one line per round: RESULT {json}, with the load average."""

import dataclasses
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

    from accounts import panels
    from accounts.models import Account
    from accounts.panel_cache import account_panels_changed
    from core.models import User

    csm = User.objects.get(username="csm1")
    pk = Account.objects.filter(owner=csm).order_by("-mrr").values_list("pk", flat=True).first()
    client = Client()
    client.force_login(csm)
    url = f"/accounts/{pk}/"
    cached = dict(panels.PANELS)
    keys = [key for key, panel in cached.items() if panel.cache_vary is not None]
    live = {key: dataclasses.replace(panel, cache_vary=None) for key, panel in cached.items()}

    def run(mode: str) -> list:
        panels.PANELS = live if mode == "live" else cached
        assert client.get(url).status_code == 200  # warm-up
        cpus = []
        for _ in range(10):
            if mode == "miss":
                account_panels_changed(account_ids=[pk], keys=keys)  # outside a transaction: now
            with CaptureQueriesContext(connection) as ctx:
                started = time.process_time()
                client.get(url)
                cpus.append(time.process_time() - started)
        return [round(statistics.median(cpus) * 1000, 1), len(ctx.captured_queries)]

    for number in range(3):
        out = {"round": number + 1, "load": os.getloadavg()[0], **{mode: run(mode) for mode in ("live", "miss", "hit")}}
        print("RESULT " + json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
