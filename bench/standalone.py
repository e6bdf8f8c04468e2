"""Django set up for the standalone page scripts (pages_pair, pages_fixed, pages_reports,
pages_panel_cache): run as `python <this tree>/bench/<script>.py` from the directory of the tree
whose code is measured (an older tree has no such module: the scripts import this file from their
own directory, not from the `bench` package)."""

import os
import sys


def setup_django():
    """The measured tree's packages first, its settings as the bench runs them (no HTTPS
    redirects), Django set up, the test client's host allowed. Returns django.conf.settings."""
    sys.path.insert(0, os.getcwd())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "csplatform.settings")
    for name in ("SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE"):
        os.environ.setdefault(name, "0")
    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    return settings
