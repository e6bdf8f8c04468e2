"""Settings read from the environment: strict switches, production defaults with DEBUG off
(`check --deploy` clean), and a worker that logs its tasks. Each case imports the settings in
a fresh process, as a server start does."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STRONG_KEY = "k3y-" + "x9Q2" * 16
CONNECTOR_KEY = "bm90LWEtcmVhbC1rZXktYnV0LTMyLWJ5dGVzLWxvbmc="  # a Fernet key (32 bytes, base64)


def _run(code: str, **env) -> subprocess.CompletedProcess:
    # (the browser tests set DJANGO_ALLOW_ASYNC_UNSAFE in this process: never in a deployment)
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SECURE_", "SESSION_", "CSRF_", "DEBUG", "DJANGO_ALLOW"))
    }
    base.pop("DATABASE_URL", None)
    base.pop("REDIS_URL", None)
    base.setdefault("PULSE_CONNECTOR_KEY", CONNECTOR_KEY)
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**base, "DJANGO_SETTINGS_MODULE": "csplatform.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


SHOW = (
    "import json, django; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({n: getattr(s, n) for n in %r}))"
)


def _settings(*names: str, **env) -> dict:
    done = _run(SHOW % (names,), **env)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("value", ["Flase", "2", "enabled"])
def test_a_switch_that_is_not_yes_or_no_stops_the_start(value):
    done = _run("import django; django.setup()", DEBUG=value)
    assert done.returncode != 0
    assert f"DEBUG={value!r} is not a yes/no value" in done.stderr


@pytest.mark.parametrize(("value", "expected"), [("0", False), ("off", False), ("NO", False), ("1", True), ("", True)])
def test_switches_read_every_spelling(value, expected):
    assert _settings("DEBUG", DEBUG=value, SECRET_KEY=STRONG_KEY)["DEBUG"] is expected


def test_production_refuses_to_start_without_the_connector_key():
    done = _run("import django; django.setup()", DEBUG="0", SECRET_KEY=STRONG_KEY, PULSE_CONNECTOR_KEY="")
    assert done.returncode != 0
    assert "Set PULSE_CONNECTOR_KEY" in done.stderr


def test_production_defaults_when_debug_is_off():
    got = _settings(
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SECURE_PROXY_SSL_HEADER",
        DEBUG="0",
        SECRET_KEY=STRONG_KEY,
    )
    assert got == {
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31_536_000,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_PROXY_SSL_HEADER": None,
    }


def test_each_door_can_be_set_from_the_environment():
    got = _settings(
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SECURE_PROXY_SSL_HEADER",
        DEBUG="0",
        SECRET_KEY=STRONG_KEY,
        SECURE_SSL_REDIRECT="0",
        SECURE_HSTS_SECONDS="3600",
        SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO,https",
    )
    assert got == {
        "SECURE_SSL_REDIRECT": False,
        "SECURE_HSTS_SECONDS": 3600,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
    }


def test_check_deploy_is_clean_with_production_settings():
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={
            **{
                k: v
                for k, v in os.environ.items()
                if not k.startswith(("SECURE_", "SESSION_", "CSRF_", "DEBUG", "DJANGO_ALLOW"))
            },
            "DEBUG": "0",
            "SECRET_KEY": STRONG_KEY,
            "PULSE_CONNECTOR_KEY": CONNECTOR_KEY,
            "ALLOWED_HOSTS": "pulse.example.com",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout


def test_a_real_worker_logs_its_tasks_at_info_the_embedded_mode_does_not():
    code = "import django, logging; django.setup(); print(logging.getLogger('celery.app.trace').getEffectiveLevel())"
    worker = _run(code, CELERY_BROKER_URL="redis://127.0.0.1:6379/15")
    embedded = _run(code)
    assert worker.stdout.strip().splitlines()[-1] == str(20)  # INFO
    assert embedded.stdout.strip().splitlines()[-1] == str(30)  # WARNING
