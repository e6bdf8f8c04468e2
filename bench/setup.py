"""Shared benchmark plumbing: a PostgreSQL database of its own, peak-memory and timing helpers."""

import os
import resource
import time
from contextlib import contextmanager
from urllib.parse import urlparse

import psycopg


def prepare_database() -> None:
    """Create the benchmark database if missing, set Django up and migrate it."""
    url = urlparse(os.environ["DATABASE_URL"])
    name = url.path.lstrip("/")
    _database_create(os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/postgres", name)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def _database_create(admin_dsn: str, name: str) -> None:
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def switch_database(suffix: str) -> str:
    """Point Django at `<bench db>_<suffix>` (created and migrated if missing): a benchmark whose
    data takes long to build keeps it in a database of its own between runs."""
    from django.core.management import call_command
    from django.db import connections

    name = f"{connections['default'].settings_dict['NAME']}_{suffix}"
    _database_create(os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/postgres", name)
    connections["default"].close()
    connections["default"].settings_dict["NAME"] = name
    call_command("migrate", verbosity=0, interactive=False)
    return name


def restore_database() -> None:
    """Point Django back at the benchmark database after a bench that called switch_database: the
    next bench (and any server it starts from DATABASE_URL) must find its data in the same one."""
    from django.db import connections

    name = urlparse(os.environ["DATABASE_URL"]).path.lstrip("/")
    if connections["default"].settings_dict["NAME"] != name:
        connections["default"].close()
        connections["default"].settings_dict["NAME"] = name


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB (Linux reports KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@contextmanager
def timed(label: str, results: dict):
    started = time.perf_counter()
    yield
    results[label] = time.perf_counter() - started


def ratio(value: float, baseline: float) -> str:
    return f"{value / baseline:.2f}x" if baseline else "n/a"
