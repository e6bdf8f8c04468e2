"""Test settings: the embedded defaults unless DATABASE_URL / REDIS_URL say otherwise."""

from .settings import *  # noqa: F403
from .settings import DATABASES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
# Webhook outcomes at once, in the test (tests/core/test_webhook_sender.py covers the thread).
WEBHOOK_SENDER = "inline"
# Background work (core.background) at once too; tests/core/test_background.py covers the thread.
BACKGROUND_RUNNER = "inline"
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 20}
