"""Settings for the CS platform, read from environment variables only.

With nothing set it runs embedded: SQLite file, Celery eager, local-memory cache.
`DATABASE_URL` switches to PostgreSQL, `REDIS_URL` (or `CELERY_BROKER_URL`) to Redis.
"""

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


from .env import env_bool, env_int, env_list  # noqa: E402

DEV_SECRET_KEY = "dev-insecure-secret-key-change-me"
DEBUG = env_bool("DEBUG", True)
SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
if not DEBUG and SECRET_KEY == DEV_SECRET_KEY:
    raise ImproperlyConfigured("Set SECRET_KEY: the development key is refused when DEBUG is off.")
# Connector credentials are encrypted at rest with this Fernet key (connectors.crypto); in
# development it is derived from SECRET_KEY, in production it must be given.
PULSE_CONNECTOR_KEY = os.environ.get("PULSE_CONNECTOR_KEY", "")
if not DEBUG and not PULSE_CONNECTOR_KEY:
    raise ImproperlyConfigured(
        "Set PULSE_CONNECTOR_KEY (e.g. python -c 'from cryptography.fernet import Fernet; "
        "print(Fernet.generate_key().decode())'): connector credentials are encrypted with it."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")

# HTTPS. With DEBUG off the defaults are production's (`manage.py check --deploy` is clean);
# each can be set from the environment, e.g. SECURE_SSL_REDIRECT=0 where TLS ends in front of
# the app and the proxy already redirects, or all of them off for a plain-HTTP trial on localhost.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
# "HTTP_X_FORWARDED_PROTO,https": the header (as in request.META) and the value a TLS-ending
# proxy sets; only behind a proxy that always sets or strips it.
_proxy_ssl_header = env_list("SECURE_PROXY_SSL_HEADER", "")
if _proxy_ssl_header and len(_proxy_ssl_header) != 2:
    raise ImproperlyConfigured("SECURE_PROXY_SSL_HEADER takes two comma-separated parts: HTTP_X_FORWARDED_PROTO,https")
SECURE_PROXY_SSL_HEADER = tuple(_proxy_ssl_header) if _proxy_ssl_header else None
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
# How many reverse proxies (each appending to X-Forwarded-For) stand in front of the app; 0: the
# client is REMOTE_ADDR and the header is ignored (surveys.throttle.client_ip).
NUM_PROXIES = env_int("NUM_PROXIES", 0)
# New anonymous answers a client address may give one public-link survey in an hour (0: no limit).
SURVEYS_PUBLIC_ANSWERS_PER_HOUR = env_int("SURVEYS_PUBLIC_ANSWERS_PER_HOUR", 30)
# The public address of this server, used in survey emails, shared plan links and the widget snippet.
# Renewals: the sweep opens a renewal opportunity for paid terms ending within this many days,
# and a renewal lost to churn is won back when the account pays again within the second.
RENEWALS_HORIZON_DAYS = int(os.environ.get("RENEWALS_HORIZON_DAYS", "120"))
RENEWALS_REACTIVATION_DAYS = int(os.environ.get("RENEWALS_REACTIVATION_DAYS", "90"))
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# What a CSM may read (accounts.access): "all" accounts (the default: CS teams cover for each
# other) or only their "team"'s (owned, on the account team). Writes are always their team's only.
CSM_READ_SCOPE = os.environ.get("PULSE_CSM_READ_SCOPE", "all")
if CSM_READ_SCOPE not in ("all", "team"):
    raise ImproperlyConfigured('PULSE_CSM_READ_SCOPE must be "all" or "team".')

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served from our static files: /api/docs/ works offline
    "django_filters",
    "django_htmx",
    "django_celery_beat",
    "axes",  # login throttling and lock-out (core.auth_throttle)
    # Our floors, lowest first (DESIGN.md): each imports only the ones above it in this list.
    "core",
    "accounts",
    "usage",
    "health",
    "surveys",
    "onboarding",
    "playbooks",
    "renewals",
    "connectors",
    "notifications",
    "conversations",
    "reports",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Reads after a write in the same request stay on the primary (core.replica).
    "core.middleware.ReplicaRequestMiddleware",
    # API paths: a NUL in the path or query string is a 400 naming it; 404s are JSON (core.api.middleware).
    "core.api.middleware.APIGuardMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # The survey widget's public endpoints (/widget/) skip what follows but Common and XFrameOptions.
    "surveys.middleware.WidgetMiddleware",
    # Content-Security-Policy on every page (not on the widget's endpoints above: their script
    # runs on customers' sites, under the customers' own policy).
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language: the switch's cookie, else the browser's Accept-Language (Django's order);
    # after SessionMiddleware, before CommonMiddleware, as Django asks (docs/i18n.md).
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The signed-in user's profile beats both: language, time zone, digits, calendar (core.i18n).
    "core.middleware.UserLanguageMiddleware",
    # Who and from where, for the audit trail (core.audit).
    "core.audit.AuditContextMiddleware",
    "core.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Pages and API answers carry customer data: never stored by a browser or a shared cache.
    "core.middleware.NoStoreMiddleware",
    # A database or Redis that cannot be reached: 503 with Retry-After (JSON for the API), not 500.
    "core.middleware.ServiceUnavailableMiddleware",
    # Last, as django-axes asks: refuses a locked-out login with the lock-out page (429).
    "axes.middleware.AxesMiddleware",
]
# The server's CPU and wall time per request in a Server-Timing header (`make soak` reads it).
PULSE_SERVER_TIMING = env_bool("PULSE_SERVER_TIMING", False)
if PULSE_SERVER_TIMING:
    MIDDLEWARE.insert(0, "core.middleware.ServerTimingMiddleware")
# Seconds from a signal a person made (an answer, a ticket, an override) to the account's health
# refresh, and the window that coalesces usage events' refreshes (each account at most once in it:
# "within a minute of a signal"); health.recompute.refresh, docs/decisions.md "Two refresh cadences".
HEALTH_REFRESH_DELAY_SECONDS = env_int("HEALTH_REFRESH_DELAY_SECONDS", 2)
HEALTH_EVENTS_REFRESH_DELAY_SECONDS = env_int("HEALTH_EVENTS_REFRESH_DELAY_SECONDS", 45)

# Content-Security-Policy (django-csp): scripts only from our origin or inline with the
# request's nonce (`<script nonce="{{ request.csp_nonce }}">`), no inline event handlers
# (static/js/behaviors.js binds data-* attributes instead), no eval, nothing framed by others.
# Styles allow inline attributes (`style="…"` and htmx's indicator style). PULSE_CSP_REPORT_ONLY=1
# sends it as Content-Security-Policy-Report-Only while a deployment checks its own additions.
_CSP = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
    }
}
_CSP_REPORT_ONLY = env_bool("PULSE_CSP_REPORT_ONLY", False)
CONTENT_SECURITY_POLICY = None if _CSP_REPORT_ONLY else _CSP
CONTENT_SECURITY_POLICY_REPORT_ONLY = _CSP if _CSP_REPORT_ONLY else None

AUTHENTICATION_BACKENDS = [
    # First: counts failed logins and refuses locked-out ones before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# SAML 2.0 (core.identity.saml): PULSE_SAML_* read, and djangosaml2 wired in, by csplatform/settings_saml.py.
from .settings_saml import *  # noqa: E402, F403
from .settings_saml import saml_wire  # noqa: E402

saml_wire(globals())
# End of SAML 2.0.
# Login throttling (django-axes): LOGIN_FAILURE_LIMIT failed logins for one username, or from
# one client address, lock that username / address out for LOGIN_LOCKOUT_MINUTES; a failure
# during the lock-out starts it again (the back-off), a successful login clears the count.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("LOGIN_LOCKOUT_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = True
AXES_LOCKOUT_CALLABLE = "core.views.auth.locked_out"
AXES_CLIENT_IP_CALLABLE = "core.client_address.client_ip"
AXES_VERBOSE = False
# Password-reset mails: at most this many per address and per client address in an hour
# (core.views.auth); more requests see the same "check your mail" page and send nothing.
PASSWORD_RESET_MAILS_PER_HOUR = env_int("PASSWORD_RESET_MAILS_PER_HOUR", 3)
PASSWORD_RESET_REQUESTS_PER_HOUR_PER_CLIENT = env_int("PASSWORD_RESET_REQUESTS_PER_HOUR_PER_CLIENT", 20)

# Single sign-on (group-to-role mapping, OpenID Connect) and SCIM: csplatform/settings_identity.py.
from .settings_identity import *  # noqa: E402, F403

AUTHENTICATION_BACKENDS += ["core.identity.oidc.OIDCBackend"]  # after axes: a locked-out address is refused

ROOT_URLCONF = "csplatform.urls"
WSGI_APPLICATION = "csplatform.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.navigation",
                "core.context_processors.language",
            ],
            # `{% load i18n %}` / `{% load static %}`: translate tags keep their fixed text per language,
            # static URLs are looked up once per process (core/templatetags/i18n_fast.py, static_fast.py).
            "libraries": {"i18n": "core.templatetags.i18n_fast", "static": "core.templatetags.static_fast"},
        },
    },
]
# templates.W003 says a library name maps to two modules: `i18n` does on purpose (above).
SILENCED_SYSTEM_CHECKS = ["templates.W003"]
# Forms render through Django's templates, the select widget without a template per option
# (core/form_rendering.py: issue 22's page CPU).
FORM_RENDERER = "core.form_rendering.FormRenderer"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
    )
}
# A PostgreSQL streaming replica for the reads that ask for it (core.replica: reports and
# dashboards), with a fall-back to the primary past PULSE_REPLICA_MAX_LAG seconds of lag or when
# it is down (docs/deploy.md). In a test run it mirrors the default test database.
if os.environ.get("REPLICA_DATABASE_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["REPLICA_DATABASE_URL"], conn_max_age=env_int("DB_CONN_MAX_AGE", 60)
    )
    DATABASES["replica"].setdefault("OPTIONS", {})["connect_timeout"] = env_int("PULSE_REPLICA_CONNECT_TIMEOUT", 2)
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["core.db_router.ReplicaRouter"]
PULSE_REPLICA_MAX_LAG = env_int("PULSE_REPLICA_MAX_LAG", 10)
PULSE_REPLICA_CHECK_SECONDS = env_int("PULSE_REPLICA_CHECK_SECONDS", 5)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the dev server read while an eager Celery task writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
# Each language named in itself: the header's switch lists them so (docs/i18n.md).
LANGUAGES = [("en", "English"), ("ar", "العربية"), ("fa", "فارسی"), ("zh-hans", "中文")]
# The switch's cookie (anonymous pages such as the sign-in form): a year, same-site.
LANGUAGE_COOKIE_NAME = "pulse_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "UTC"
USE_I18N = True
# Our gettext catalogues (locale/<lang>/LC_MESSAGES/django.po; `make messages` updates them).
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 50 * 1024 * 1024  # bulk imports of up to 10,000 objects
DATA_UPLOAD_MAX_NUMBER_FIELDS = 20000

# Stripe webhook endpoint's signing secret ("whsec_..."), for /webhooks/stripe/.
STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "")
# Every figure that adds accounts together is in this currency (accounts.currency, docs/metrics.md).
BASE_CURRENCY = os.environ.get("BASE_CURRENCY", "USD").strip().upper() or "USD"

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "success@csplatform.local")

# Redis: cache and Celery broker
REDIS_URL = os.environ.get("REDIS_URL", "")
# core.cache: when Redis is unreachable the cache acts empty (limits open, claims succeed)
# instead of raising; short timeouts so an outage costs a second, not a hung request.
CACHES = {
    "default": {
        "BACKEND": "core.cache.FailOpenRedisCache",
        "LOCATION": REDIS_URL,
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
    }
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}
# Sessions read from Redis, written to PostgreSQL and Redis (core.sessions): one query less on every
# signed-in request. Only with Redis: a per-process cache would keep a session another process ended.
SESSION_ENGINE = "core.sessions" if REDIS_URL else "django.contrib.sessions.backends.db"
SESSION_CACHE_SECONDS = env_int("SESSION_CACHE_SECONDS", 300)

CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", REDIS_URL)
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", REDIS_URL or None)
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not CELERY_BROKER_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = "UTC"
CELERY_TASK_ACKS_LATE = True
# Results stored (the nightly chord reads them); a worker keeps its DB connection (decisions.md).
CELERY_DB_REUSE_MAX = env_int("CELERY_DB_REUSE_MAX", 1000)
# A task whose worker process died (OOM, SIGKILL) goes back to the queue instead of being
# acknowledged as failed; with Redis it is redelivered after the visibility timeout, which must
# exceed the longest task (a nightly chunk takes seconds) and the longest countdown/ETA.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# Usage events' month partitions (PostgreSQL): made this many months ahead; months that ended more
# than USAGE_EVENTS_KEEP_MONTHS ago detached each night (0 keeps them all). Rollups keep the figures.
USAGE_PARTITIONS_AHEAD = env_int("USAGE_PARTITIONS_AHEAD", 3)
USAGE_EVENTS_KEEP_MONTHS = env_int("USAGE_EVENTS_KEEP_MONTHS", 24)
CELERY_VISIBILITY_TIMEOUT = env_int("CELERY_VISIBILITY_TIMEOUT", 1800)
# A broker that cannot be reached fails a publish in about a second (the message then goes to the
# outbox, core.outbox) instead of hanging the request that queued it.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
}
# How often a worker sweeps Redis for tasks whose worker was lost and whose visibility timeout
# passed: kombu's default is about every 100 s (10 s x every 10th sweep); this sets the period.
if os.environ.get("CELERY_UNACKED_RESTORE_SECONDS"):
    CELERY_BROKER_TRANSPORT_OPTIONS |= {
        "unacked_restore_interval": env_int("CELERY_UNACKED_RESTORE_SECONDS", 10),
        "unacked_restore_throttle": 1,
    }
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Webhook deliveries wait on other people's servers: their own queue, so a slow receiver never
# delays health or playbooks (a worker consumes it: `celery worker -Q health_events,celery,webhooks`).
# A person's signal's health refresh has its own queue, taken by a worker alone (`-Q health`), so
# nothing queued before it holds a score back; usage events' refreshes and the rollup run they read
# go to `health_events` (docs/deploy.md "Queues"; docs/decisions.md "Two refresh cadences").
HEALTH_QUEUE = "health"
HEALTH_EVENTS_QUEUE = "health_events"
CELERY_TASK_ROUTES = {
    "core.tasks.webhook_deliver_task": {"queue": "webhooks"},
    "health.tasks.account_health_refresh_task": {"queue": HEALTH_QUEUE},
    "health.tasks.accounts_health_refresh_gathered_task": {"queue": HEALTH_QUEUE},
    # The sweep that follows answers up asks their refreshes (on `celery` it waited behind playbooks).
    "surveys.tasks.responses_followup_task": {"queue": HEALTH_QUEUE},
    "health.tasks.accounts_health_refresh_task": {"queue": HEALTH_EVENTS_QUEUE},
    "health.tasks.accounts_health_refresh_soon_task": {"queue": HEALTH_EVENTS_QUEUE},
    # The usage rollup run the refreshes read: milliseconds since rollups are incremental, and
    # behind hundreds of playbook and onboarding tasks on `celery` in the soak.
    "usage.tasks.usage_rollups_pending_task": {"queue": HEALTH_EVENTS_QUEUE},
}
# Who sends webhooks (core.webhook_sender): the worker, or in the embedded mode a thread of the
# web process; never the request that emitted the event.
WEBHOOK_SENDER = os.environ.get("WEBHOOK_SENDER", "thread" if CELERY_TASK_ALWAYS_EAGER else "celery")
if WEBHOOK_SENDER not in {"celery", "thread", "inline"}:
    raise ImproperlyConfigured(f"WEBHOOK_SENDER={WEBHOOK_SENDER!r}: use celery, thread or inline.")
# Slack and Teams (conversations): the app's secrets from the environment win over the ones an
# admin stores (encrypted with PULSE_CONVERSATIONS_KEY, below).
SLACK_BOT_TOKEN = os.environ.get("SLACK_BOT_TOKEN", "")
SLACK_SIGNING_SECRET = os.environ.get("SLACK_SIGNING_SECRET", "")
# Who runs work a page asks for and then follows (core.background: theme recompute): the worker,
# or in the embedded mode a thread of the web process; never the request itself.
BACKGROUND_RUNNER = os.environ.get("BACKGROUND_RUNNER", "thread" if CELERY_TASK_ALWAYS_EAGER else "celery")
if BACKGROUND_RUNNER not in {"celery", "thread", "inline"}:
    raise ImproperlyConfigured(f"BACKGROUND_RUNNER={BACKGROUND_RUNNER!r}: use celery, thread or inline.")
# Every periodic job lives here (STYLE.md section 4); django-celery-beat syncs it into the DB.
CELERY_BEAT_SCHEDULE = {
    # Connectors: each connection's scheduled incremental sync, started when due (its interval).
    "connectors-due": {
        "task": "connectors.tasks.connections_due_task",
        "schedule": 60.0,
    },
    # Conversations: IMAP mailboxes polled by UID (conversations.email.imap)
    "conversations-imap-poll": {
        "task": "conversations.tasks.imap_poll_all_task",
        "schedule": 300.0,
    },
    "nightly-health-then-playbooks": {
        "task": "health.tasks.health_nightly_task",
        "schedule": crontab(hour=2, minute=0),
    },
    # Before the health recompute (its roll-up weights): base-currency MRR at the month's rates.
    # A night whose chord never finished (a lost worker, a chunk failed for good) is finished here.
    "nightly-health-check": {
        "task": "health.tasks.health_nightly_check_task",
        "schedule": crontab(hour=3, minute=15),
    },
    # Usage events: month partitions made ahead, months past USAGE_EVENTS_KEEP_MONTHS detached.
    "nightly-usage-partitions": {
        "task": "usage.tasks.usage_partitions_maintain_task",
        "schedule": crontab(hour=0, minute=10),
    },
    "nightly-base-currency-mrr": {
        "task": "accounts.tasks.account_base_mrr_refresh_task",
        "schedule": crontab(hour=1, minute=0),
    },
    # Before the health recompute, so "onboarding_progress" sees the night's completions.
    "nightly-onboarding-sweep": {
        "task": "onboarding.tasks.onboarding_sweep_task",
        "schedule": crontab(hour=1, minute=30),
    },
    "outbox-flush": {
        "task": "core.tasks.outbox_flush_task",
        "schedule": 30.0,
    },
    "webhook-retries-due": {
        "task": "core.tasks.webhook_retry_due_task",
        "schedule": 60.0,
    },
    # Safety net: answers are followed up by a sweep queued right after them (surveys.services).
    "survey-answers-followup": {
        "task": "surveys.tasks.responses_followup_task",
        "schedule": 60.0,
    },
    # After the health recompute: the learned churn model retrains on the night's snapshots.
    "nightly-churn-model": {
        "task": "health.tasks.churn_model_train_task",
        "schedule": crontab(hour=3, minute=0),
    },
    # After the health recompute: the health trend reads that night's snapshots.
    "nightly-reports-refresh": {
        "task": "reports.tasks.reports_refresh_task",
        "schedule": crontab(hour=3, minute=30),
    },
    # Renewal opportunities: open for terms ending soon, close from what subscriptions did,
    # refresh P(renew) after the health recompute, rebuild the forecast's track record.
    "nightly-renewals-sweep": {
        "task": "renewals.tasks.renewals_sweep_task",
        "schedule": crontab(hour=3, minute=0),
    },
    # The survey report's pre-aggregate, with the accounts' current segment, tier and owner.
    "nightly-survey-days": {
        "task": "surveys.tasks.survey_days_rebuild_task",
        "schedule": crontab(hour=0, minute=20),
    },
    # One notification per account and renewal date: repeated sweeps add nothing.
    "daily-renewal-notifications": {
        "task": "notifications.tasks.renewals_notify_task",
        "schedule": crontab(hour=5, minute=0),
    },
    # Each user's digest once their local time passes DIGEST_LOCAL_HOUR (once per local date).
    "digest-sweep": {
        "task": "notifications.tasks.digests_send_task",
        "schedule": crontab(minute="*/15"),
    },
    # Connected Gmail / Microsoft 365 mailboxes and calendars, CalDAV calendars (conversations).
    "conversations-sync": {
        "task": "conversations.tasks.connections_sync_task",
        "schedule": crontab(minute="*/10"),
    },
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "core.api.authentication.APIKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["core.api.permissions.ScopedPermission"],
    # orjson with a nesting limit and no NUL characters: a hostile body is a 400 (core.api.parsers).
    # JSON only: the schema says so, and a form body cannot carry the JSON fields the API takes.
    "DEFAULT_PARSER_CLASSES": ["core.api.parsers.JSONParser"],
    "DEFAULT_FILTER_BACKENDS": ["core.api.filters.FilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.CursorPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_SCHEMA_CLASS": "core.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exceptions.exception_handler",
    # The same trusted-proxy count as the survey pages: without it DRF would believe any X-Forwarded-For.
    "NUM_PROXIES": NUM_PROXIES,
    # Per API key (core.api.throttling); a client over its rate gets 429 + Retry-After.
    "DEFAULT_THROTTLE_RATES": {
        "api": os.environ.get("API_RATE_LIMIT", "1200/min"),
        "ingest": os.environ.get("INGEST_RATE_LIMIT", "3000/min"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "CS Platform API",
    "DESCRIPTION": "Customer Success platform: accounts, usage, health, surveys, playbooks and metrics.",
    "VERSION": "1.0.0",
    "COMPONENT_SPLIT_REQUEST": True,
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and its docs page: for signed-in users and API keys only (urls.py).
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SCHEMA_PATH_PREFIX": r"/api/v1|/v1",
    # /api/docs/ loads Swagger UI from the pinned drf-spectacular-sidecar package, never a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One name per choice set used by several serializers.
    "ENUM_NAME_OVERRIDES": {
        "HealthBandEnum": "accounts.choices.HealthBand",
        "CategoryEnum": "accounts.choices.CostCategory",
        "ForecastCategoryEnum": "renewals.choices.ForecastCategory",
        "OpportunityKindEnum": "renewals.choices.OpportunityKind",
        "OpportunityStatusEnum": "renewals.choices.StageKind",
        "OpportunityOutcomeEnum": "renewals.choices.Outcome",
        # Names fixed before renewals' risks added fields of the same names (type, source).
        "SourceEnum": "health.models.ScoreSource",
        "TypeEnum": ["identify", "group", "track", "page", "screen", "alias"],
        "RiskTypeEnum": "renewals.choices.RiskType",
        "RiskSourceEnum": "renewals.choices.RiskSource",
        "RiskStatusEnum": "renewals.choices.RiskStatus",
        "RiskSeverityEnum": "renewals.choices.RiskSeverity",
    },
    # Every operation's real error answers (400/401/403/404/...) in one shape (core.api.schema).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.api.schema.error_responses_hook",
    ],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # Eager Celery (embedded mode) would log every task run at INFO: keep `make run` readable.
    # A real worker and beat log at INFO (task received / succeeded / retried, beat's sends).
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # pysaml2's schema library says "Resource ... is already loaded" at INFO on every start.
        "xmlschema": {"level": "WARNING"},
        "celery": {"level": os.environ.get("CELERY_LOG_LEVEL", "WARNING" if CELERY_TASK_ALWAYS_EAGER else "INFO")},
    },
}

# Outbound webhooks go only to public addresses; these hosts (names or IP literals) may be
# internal, e.g. an on-premises CRM: WEBHOOK_ALLOWED_INTERNAL_HOSTS=crm.internal,10.0.4.12
WEBHOOK_ALLOWED_INTERNAL_HOSTS = env_list("WEBHOOK_ALLOWED_INTERNAL_HOSTS", "")

# Notifications (notifications app). A "key" account (its turning red notifies its owner) is one
# of these tiers, or one whose ARR is at least the amount (in the account's currency units).
NOTIFICATIONS_KEY_ACCOUNT_TIERS = env_list("NOTIFICATIONS_KEY_ACCOUNT_TIERS", "strategic,key")
NOTIFICATIONS_KEY_ACCOUNT_MIN_ARR = int(os.environ.get("NOTIFICATIONS_KEY_ACCOUNT_MIN_ARR", "100000"))
NOTIFICATIONS_RENEWAL_DAYS = int(os.environ.get("NOTIFICATIONS_RENEWAL_DAYS", "30"))
# Kinds e-mailed to a user who has not chosen (in-app is always on).
NOTIFICATIONS_EMAIL_DEFAULT = env_list("NOTIFICATIONS_EMAIL_DEFAULT", "task_assigned,mention")
# The daily digest goes once the user's local time passes this hour.
DIGEST_LOCAL_HOUR = int(os.environ.get("DIGEST_LOCAL_HOUR", "7"))

# Conversations (conversations app): OAuth tokens, CalDAV and IMAP passwords, Slack and Teams
# secrets are encrypted at rest with this Fernet key (32 url-safe base64 bytes; comma-separated
# keys rotate: the first encrypts, all decrypt); without it, a key derived from SECRET_KEY (fine
# for development; set it in production so rotating SECRET_KEY keeps them).
PULSE_CONVERSATIONS_KEY = os.environ.get("PULSE_CONVERSATIONS_KEY", "")
# OAuth clients (the app registrations at Google Cloud and Microsoft Entra). A provider with no
# client id is not offered on the "Connected accounts" page.
GOOGLE_OAUTH_CLIENT_ID = os.environ.get("GOOGLE_OAUTH_CLIENT_ID", "")
GOOGLE_OAUTH_CLIENT_SECRET = os.environ.get("GOOGLE_OAUTH_CLIENT_SECRET", "")
MICROSOFT_OAUTH_CLIENT_ID = os.environ.get("MICROSOFT_OAUTH_CLIENT_ID", "")
MICROSOFT_OAUTH_CLIENT_SECRET = os.environ.get("MICROSOFT_OAUTH_CLIENT_SECRET", "")
MICROSOFT_OAUTH_TENANT = os.environ.get("MICROSOFT_OAUTH_TENANT", "common")
# Where the providers live: the documented hosts; tests point them at local fakes.
GOOGLE_OAUTH_BASE = os.environ.get("GOOGLE_OAUTH_BASE", "https://accounts.google.com").rstrip("/")
GOOGLE_TOKEN_BASE = os.environ.get("GOOGLE_TOKEN_BASE", "https://oauth2.googleapis.com").rstrip("/")
GOOGLE_API_BASE = os.environ.get("GOOGLE_API_BASE", "https://www.googleapis.com").rstrip("/")
GOOGLE_GMAIL_BASE = os.environ.get("GOOGLE_GMAIL_BASE", "https://gmail.googleapis.com").rstrip("/")
MICROSOFT_LOGIN_BASE = os.environ.get("MICROSOFT_LOGIN_BASE", "https://login.microsoftonline.com").rstrip("/")
MICROSOFT_GRAPH_BASE = os.environ.get("MICROSOFT_GRAPH_BASE", "https://graph.microsoft.com/v1.0").rstrip("/")
# Meetings are synced this many days back and ahead.
CONVERSATIONS_MEETINGS_PAST_DAYS = int(os.environ.get("CONVERSATIONS_MEETINGS_PAST_DAYS", "30"))
CONVERSATIONS_MEETINGS_AHEAD_DAYS = int(os.environ.get("CONVERSATIONS_MEETINGS_AHEAD_DAYS", "60"))
# Conversations: inbound e-mail (conversations.email). The workspace's BCC / forwarding address is
# INBOUND_EMAIL_LOCALPART+<tag>@INBOUND_EMAIL_DOMAIN (the tag and the endpoint's token rotate
# together on the settings page); a message larger than INBOUND_EMAIL_MAX_BYTES is refused (413).
INBOUND_EMAIL_DOMAIN = os.environ.get("INBOUND_EMAIL_DOMAIN", "inbound.csplatform.local")
INBOUND_EMAIL_LOCALPART = os.environ.get("INBOUND_EMAIL_LOCALPART", "pulse")
INBOUND_EMAIL_MAX_BYTES = env_int("INBOUND_EMAIL_MAX_BYTES", 25 * 1024 * 1024)
# Mailgun's HTTP webhook signing key: when set, /inbound/email/<token>/mailgun/ checks the signature.
MAILGUN_WEBHOOK_SIGNING_KEY = os.environ.get("MAILGUN_WEBHOOK_SIGNING_KEY", "")
# Addresses at these domains are people, not companies: never matched to an account by domain.
INBOUND_EMAIL_FREEMAIL_DOMAINS = env_list(
    "INBOUND_EMAIL_FREEMAIL_DOMAINS",
    "gmail.com,googlemail.com,outlook.com,hotmail.com,live.com,yahoo.com,icloud.com,me.com,aol.com,proton.me,"
    "protonmail.com,gmx.de,gmx.net,web.de,mail.ru,yandex.ru,qq.com,163.com,126.com",
)
