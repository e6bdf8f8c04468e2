"""The sign-in doors as an attacker meets them: wrong passwords until the lock-out, the lock-out
holding even for the right password, and a reset form that will not flood one mailbox."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.core.cache import cache
from django.db.models import F

from core.models import User

pytestmark = pytest.mark.django_db

PASSWORD = "right-horse-battery-9"


@pytest.fixture
def alice(db):
    return User.objects.create_user("alice", email="alice@example.com", password=PASSWORD, role="csm")


def _sign_in(client, username, password, address="198.51.100.7"):
    client.get("/login/", REMOTE_ADDR=address)
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def test_the_right_password_signs_in(client, alice):
    response = _sign_in(client, "alice", PASSWORD)
    assert response.status_code == 302
    assert client.session.get("_auth_user_id") == str(alice.pk)


def test_five_wrong_passwords_lock_the_username_even_for_the_right_one(client, alice, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    for _ in range(4):
        assert _sign_in(client, "alice", "guess").status_code == 200  # the form again, with its error
    locked = _sign_in(client, "alice", "guess")
    assert locked.status_code == 429
    assert b'data-testid="locked-out"' in locked.content
    # the right password no longer helps, from this address or another
    assert _sign_in(client, "alice", PASSWORD).status_code == 429
    assert _sign_in(client, "alice", PASSWORD, address="203.0.113.9").status_code == 429
    assert "_auth_user_id" not in client.session


def test_one_address_guessing_many_usernames_is_locked_out(client, alice):
    for n in range(5):
        _sign_in(client, f"nobody{n}", "guess", address="192.0.2.50")
    # alice's right password from that address is refused; from her own address it works
    assert _sign_in(client, "alice", PASSWORD, address="192.0.2.50").status_code == 429
    assert _sign_in(client, "alice", PASSWORD, address="198.51.100.7").status_code == 302


def test_a_success_before_the_limit_clears_the_count(client, alice):
    for _ in range(4):
        _sign_in(client, "alice", "guess")
    assert _sign_in(client, "alice", PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        assert _sign_in(client, "alice", "guess").status_code == 200


def test_the_lockout_ends_after_the_pause(client, alice, settings):
    for _ in range(5):
        _sign_in(client, "alice", "guess")
    assert _sign_in(client, "alice", PASSWORD).status_code == 429
    # the pause passes (the attempts' clock moved back by the cool-off and a second)
    pause = timedelta(hours=settings.AXES_COOLOFF_TIME, seconds=1)
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - pause)
    assert _sign_in(client, "alice", PASSWORD).status_code == 302


def _reset(client, email, address="198.51.100.7"):
    client.get("/password-reset/", REMOTE_ADDR=address)
    return client.post("/password-reset/", {"email": email}, REMOTE_ADDR=address)


def test_thirty_reset_requests_send_three_mails(client, alice):
    cache.clear()
    answers = [_reset(client, "alice@example.com") for _ in range(30)]
    assert {a.status_code for a in answers} == {302}  # every answer looks the same
    assert {a["Location"] for a in answers} == {"/password-reset/done/"}
    assert len(mail.outbox) == 3


def test_reset_requests_from_one_client_are_capped_across_addresses(client, alice, settings):
    cache.clear()
    settings.PASSWORD_RESET_REQUESTS_PER_HOUR_PER_CLIENT = 5
    for n in range(5):
        _reset(client, f"someone{n}@example.com", address="192.0.2.60")
    _reset(client, "alice@example.com", address="192.0.2.60")
    assert len(mail.outbox) == 0  # the sixth request from that client sends nothing
    _reset(client, "alice@example.com", address="192.0.2.61")
    assert len(mail.outbox) == 1


def test_a_cache_outage_lets_the_reset_through(client, alice, monkeypatch):
    from core import auth_throttle

    def down(*args, **kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(auth_throttle.cache, "add", down)
    assert _reset(client, "alice@example.com").status_code == 302
    assert len(mail.outbox) == 1
