"""Settings for bench_surveys' gunicorn: the product as configured, plus one baseline URL."""

from csplatform.settings import *  # noqa: F403

ROOT_URLCONF = "bench.surveys_urls"
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
