import pytest
from django.core.management import call_command

from core.choices import APIKeyScope
from core.models import APIKey
from core.services import api_key_authenticate, api_key_create, api_key_revoke

pytestmark = pytest.mark.django_db


def test_key_is_stored_hashed_and_authenticates():
    # given
    key, raw = api_key_create(name="segment", scope=APIKeyScope.INGEST)
    # then
    assert raw.startswith("csk_")
    assert raw not in key.key_hash
    assert api_key_authenticate(raw_key=raw) == key
    assert api_key_authenticate(raw_key=raw + "x") is None


def test_revoked_key_no_longer_authenticates():
    key, raw = api_key_create(name="old", scope=APIKeyScope.READ)
    api_key_revoke(key=key)
    assert api_key_authenticate(raw_key=raw) is None


def test_bad_scope_is_refused():
    with pytest.raises(ValueError, match="scope must be one of"):
        api_key_create(name="x", scope="root")


def test_create_api_key_command_prints_key_last(capsys):
    call_command("create_api_key", "--name", "ci", "--scope", "write")
    last_line = capsys.readouterr().out.strip().splitlines()[-1]
    assert api_key_authenticate(raw_key=last_line) == APIKey.objects.get(name="ci")


def test_create_api_key_command_binds_a_personal_token(capsys, csm_user):
    from django.core.management.base import CommandError

    call_command("create_api_key", "--name", "carl", "--scope", "write", "--user", "csm")
    last_line = capsys.readouterr().out.strip().splitlines()[-1]
    key = api_key_authenticate(raw_key=last_line)
    assert key is not None and key.user == csm_user
    with pytest.raises(CommandError, match="No active user"):
        call_command("create_api_key", "--name", "x", "--scope", "write", "--user", "nobody")
