"""The cost every page pays, quickly, in one tree: server CPU per request (`time.process_time`,
median after a warm-up), Python function calls per request (cProfile: the same count under any
load) and size, for /login/ and for a minimal signed-in page (base.html with an empty content
block, served from a URL added in-process), plus any `label=url@user` given (PK: csm1's largest
account). Run from the tree to measure, with its interpreter and a database made by
`bench --only pages`; alternate two trees to compare them (bench/pages_pair.py does the same for
two pages):

    for i in 1 2 3; do
      (cd /work/wt/h1old && DATABASE_URL=…/h3_old_pages .venv/bin/python /work/wt/h3/bench/pages_fixed.py 40 $PAGES)
      (cd /work/wt/h3 && DATABASE_URL=…/h3_pages_pages .venv/bin/python bench/pages_fixed.py 40 $PAGES)
    done  # PAGES="plan=/success/accounts/PK/@csm1 scorecards=/scorecards/@manager"

(with DEBUG=0, SECRET_KEY and PULSE_CONNECTOR_KEY as for the bench). Prints one line: RESULT {json}."""

import cProfile
import json
import os
import pstats
import statistics
import sys
import time
import types


def _minimal_urlconf():
    from django.urls import path
    from django.views.generic import TemplateView

    from csplatform.urls import urlpatterns

    module = types.ModuleType("pages_fixed_urls")
    module.urlpatterns = [path("__minimal__/", TemplateView.as_view(template_name="base.html")), *urlpatterns]
    sys.modules[module.__name__] = module
    return module.__name__


def main() -> None:
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # bench/standalone.py of this script's tree
    from standalone import setup_django

    settings = setup_django()
    from django.test import Client
    from django.urls import clear_url_caches

    from accounts.models import Account
    from core.models import User

    settings.ROOT_URLCONF = _minimal_urlconf()
    clear_url_caches()
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 40
    specs = ["login=/login/@", "minimal=/__minimal__/@csm1", *sys.argv[2:]]
    pk = Account.objects.filter(owner__username="csm1").order_by("-mrr").values_list("pk", flat=True).first()
    clients: dict[str, Client] = {}
    out = {}
    for spec in specs:
        label, rest = spec.split("=", 1)
        url, _, username = rest.partition("@")
        url = url.replace("PK", str(pk))
        if username not in clients:
            clients[username] = Client()
            if username:
                clients[username].force_login(User.objects.get(username=username))
        client = clients[username]
        assert client.get(url).status_code == 200, url  # warm-up
        cpus = []
        for _ in range(runs):
            started = time.process_time()
            response = client.get(url)
            cpus.append(time.process_time() - started)
        profile = cProfile.Profile()
        profile.runcall(client.get, url)
        out[label] = {
            "cpu": round(statistics.median(cpus) * 1000, 2),
            "calls": pstats.Stats(profile).total_calls,
            "kb": round(len(response.content) / 1024, 1),
        }
    print("RESULT " + json.dumps(out))


if __name__ == "__main__":
    main()
