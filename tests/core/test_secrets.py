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


class _Holder:
    """Stands in for a model: `field()` only needs an attribute to keep the stored form in."""

    token_enc = ""
    token = BOX.field("token_enc")
    lenient = BOX.field("token_enc", unreadable_empty=True, setting_first="TEST_TOKEN_FROM_ENV")


def test_a_secret_field_encrypts_on_write_and_decrypts_on_read(settings):
    settings.TEST_SECRET_KEYS = Fernet.generate_key().decode()
    settings.TEST_TOKEN_FROM_ENV = ""
    holder = _Holder()
    holder.token = "s3cret"
    assert holder.token_enc and "s3cret" not in holder.token_enc and holder.token == "s3cret"
    settings.TEST_SECRET_KEYS = Fernet.generate_key().decode()
    with pytest.raises(InvalidToken):
        _ = holder.token
    assert holder.lenient == ""  # unreadable reads as empty
    settings.TEST_TOKEN_FROM_ENV = "from-env"
    assert holder.lenient == "from-env"  # the environment's value wins
