"""Secrets at rest (Fernet) and Retry-After parsing."""

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

from conversations.crypto import InvalidToken, secret_decrypt, secret_encrypt
from conversations.remote import retry_after_seconds


def test_round_trip_with_a_configured_key(settings):
    settings.PULSE_CONVERSATIONS_KEY = Fernet.generate_key().decode()
    stored = secret_encrypt("ya29.token")
    assert stored != "ya29.token" and secret_decrypt(stored) == "ya29.token"
    assert secret_encrypt("") == "" and secret_decrypt("") == ""


def test_a_changed_key_cannot_read_old_secrets(settings):
    settings.PULSE_CONVERSATIONS_KEY = Fernet.generate_key().decode()
    stored = secret_encrypt("refresh")
    settings.PULSE_CONVERSATIONS_KEY = Fernet.generate_key().decode()
    with pytest.raises(InvalidToken):
        secret_decrypt(stored)


def test_without_a_key_one_is_derived_from_the_secret_key(settings):
    settings.PULSE_CONVERSATIONS_KEY = ""
    assert secret_decrypt(secret_encrypt("x")) == "x"


def test_a_malformed_key_is_a_configuration_error(settings):
    settings.PULSE_CONVERSATIONS_KEY = "not-a-key"
    with pytest.raises(ImproperlyConfigured):
        secret_encrypt("x")


def test_retry_after_seconds_and_http_date():
    assert retry_after_seconds("7") == 7.0
    assert retry_after_seconds(None, default=2.0) == 2.0
    assert retry_after_seconds("soon", default=3.0) == 3.0
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=90), usegmt=True)
    assert 80 <= retry_after_seconds(later) <= 91
