"""core.secrets: one Fernet implementation for every secret at rest, with key rotation."""

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

from core.secrets import InvalidToken, SecretBox

BOX = SecretBox(setting="TEST_SECRET_KEYS", salt=b"test:")


def test_round_trip_and_empty(settings):
    settings.TEST_SECRET_KEYS = Fernet.generate_key().decode()
    stored = BOX.encrypt("hunter2")
    assert stored != "hunter2" and BOX.decrypt(stored) == "hunter2"
    assert BOX.encrypt("") == "" and BOX.decrypt("") == ""
    assert BOX.decrypt_json(BOX.encrypt_json({"b": 1, "a": "x"})) == {"a": "x", "b": 1}


def test_without_a_key_one_is_derived_per_purpose(settings):
    settings.TEST_SECRET_KEYS = ""
    other = SecretBox(setting="TEST_SECRET_KEYS", salt=b"other:")
    stored = BOX.encrypt("x")
    assert BOX.decrypt(stored) == "x"
    with pytest.raises(InvalidToken):
        other.decrypt(stored)  # a dump of one purpose's secrets does not open another's


def test_rotation_new_key_first_old_still_reads_then_rotate(settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.TEST_SECRET_KEYS = old
    stored = BOX.encrypt("token")
    settings.TEST_SECRET_KEYS = f"{new}, {old}"
    assert BOX.decrypt(stored) == "token"
    rotated = BOX.rotate(stored)
    settings.TEST_SECRET_KEYS = new
    assert BOX.decrypt(rotated) == "token"
    with pytest.raises(InvalidToken):
        BOX.decrypt(stored)
    assert BOX.decrypt_or_empty(stored) == ""


def test_a_malformed_key_names_the_setting(settings):
    settings.TEST_SECRET_KEYS = "not-a-key"
    with pytest.raises(ImproperlyConfigured, match="TEST_SECRET_KEYS"):
        BOX.encrypt("x")
