"""OAuth connect (authorization code + PKCE + state, through the views and the fake provider),
refresh, revoke; tokens encrypted at rest."""

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from django.urls import reverse
from django.utils import timezone

from conversations.models import ConnectedAccount, ConnectionStatus, Provider
from conversations.oauth import OAuthError, access_token_fresh, connection_disconnect, pkce_pair

pytestmark = pytest.mark.django_db


def _start(client, provider):
    """Open the page (as a browser would, for its CSRF token) and press "Connect"."""
    assert client.get(reverse("conversations:connected")).status_code == 200
    return client.post(reverse("conversations:oauth_start", args=[provider]))


def _consent(fake, location: str) -> str:
    """What the user's "Allow" at the fake's consent page answers: the redirect back to us."""
    parts = urlsplit(location)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    page = httpx.get(location)
    assert page.status_code == 200 and "Allow" in page.text
    approve = f"{parts.scheme}://{parts.netloc}{parts.path.rsplit('/', 1)[0]}/approve"
    response = httpx.post(approve, data={**query, "provider": "x"})
    assert response.status_code == 302
    return response.headers["Location"]


@pytest.mark.parametrize("provider", [Provider.GOOGLE, Provider.MICROSOFT])
def test_connect_with_pkce_and_state(fake, csm_client, csm_user, provider, django_capture_on_commit_callbacks):
    # given the consent screen was opened from the page
    response = _start(csm_client, provider)
    assert response.status_code == 302
    query = parse_qs(urlsplit(response["Location"]).query)
    assert query["code_challenge_method"] == ["S256"] and query["state"][0] and query["code_challenge"][0]
    # when the user allows and the provider sends the browser back
    back = _consent(fake, response["Location"])
    path = urlsplit(back)
    done = csm_client.get(f"{path.path}?{path.query}")
    # then the connection is stored with encrypted tokens, and the PKCE verifier was checked
    assert done.status_code == 302 and done["Location"] == reverse("conversations:connected")
    connection = ConnectedAccount.objects.get(user=csm_user, provider=provider)
    assert connection.email == fake.state.email and connection.status == ConnectionStatus.ACTIVE
    assert connection.access_token in fake.state.access
    assert connection.access_token not in connection.access_token_enc  # not in clear
    assert connection.refresh_token in fake.state.refresh
    posted = fake.state.token_posts[0]
    assert posted["grant_type"] == "authorization_code" and posted["code_verifier"]


def test_callback_with_a_state_not_started_here_is_refused(fake, csm_client, csm_user):
    _start(csm_client, Provider.GOOGLE)
    response = csm_client.get(reverse("conversations:oauth_callback") + "?code=abc&state=forged", follow=True)
    assert response.status_code == 200
    assert "stale" in response.content.decode()
    assert not ConnectedAccount.objects.filter(user=csm_user).exists()
    assert fake.state.token_posts == []  # the code was never exchanged


def test_a_state_is_used_once(fake, csm_client, csm_user):
    start = _start(csm_client, Provider.GOOGLE)
    back = urlsplit(_consent(fake, start["Location"]))
    assert csm_client.get(f"{back.path}?{back.query}").status_code == 302
    csm_client.get(f"{back.path}?{back.query}", follow=True)
    assert len(fake.state.token_posts) == 1  # the replay did not reach the provider


def test_denied_consent_says_so(fake, csm_client, csm_user):
    start = _start(csm_client, Provider.MICROSOFT)
    state = parse_qs(urlsplit(start["Location"]).query)["state"][0]
    response = csm_client.get(
        reverse("conversations:oauth_callback") + f"?error=access_denied&state={state}", follow=True
    )
    assert "did not grant access" in response.content.decode()
    assert not ConnectedAccount.objects.filter(user=csm_user).exists()


def test_wrong_verifier_is_refused_by_the_provider(fake, csm_user):
    from conversations.oauth import authorization_url, oauth_complete

    verifier, challenge = pkce_pair()
    location = authorization_url(
        provider=Provider.GOOGLE, redirect_uri="http://t/cb", state="s", code_challenge=challenge
    )
    code = parse_qs(urlsplit(_consent(fake, location)).query)["code"][0]
    other_verifier, _ = pkce_pair()
    with pytest.raises(OAuthError):
        oauth_complete(
            user=csm_user, provider=Provider.GOOGLE, code=code, code_verifier=other_verifier, redirect_uri="http://t/cb"
        )


def test_expired_access_token_is_refreshed(fake, connect):
    connection = connect(Provider.GOOGLE)
    old = connection.access_token
    connection.expires_at = timezone.now() - timedelta(seconds=5)
    connection.save()
    token = access_token_fresh(connection)
    assert token != old and token in fake.state.access
    connection.refresh_from_db()
    assert connection.access_token == token and connection.expires_at > timezone.now()
    assert fake.state.token_posts[-1]["grant_type"] == "refresh_token"


def test_a_401_refreshes_once_and_retries(fake, connect):
    from conversations.remote import api_get

    connection = connect(Provider.GOOGLE)
    fake.state.access.pop(connection.access_token)  # the provider no longer takes it
    response = api_get(connection, f"{fake.url}/google/apis/oauth2/v3/userinfo")
    assert response.json()["email"] == fake.state.email


def test_revoked_grant_marks_the_connection(fake, connect):
    connection = connect(Provider.MICROSOFT)
    fake.state.revoked.add(connection.refresh_token)
    connection.expires_at = timezone.now()
    with pytest.raises(OAuthError):
        access_token_fresh(connection)
    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.ERROR and "revoked" in connection.last_error


def test_disconnect_revokes_at_google_and_forgets_tokens(fake, connect, csm_client):
    connection = connect(Provider.GOOGLE)
    refresh = connection.refresh_token
    csm_client.get(reverse("conversations:connected"))
    response = csm_client.post(reverse("conversations:connection_disconnect", args=[connection.pk]))
    assert response.status_code == 302
    connection.refresh_from_db()
    assert refresh in fake.state.revoked
    assert connection.status == ConnectionStatus.REVOKED
    assert connection.access_token_enc == connection.refresh_token_enc == ""


def test_microsoft_disconnect_forgets_tokens_and_says_the_consent_stays(fake, connect):
    connection = connect(Provider.MICROSOFT)
    assert connection_disconnect(connection=connection) is False
    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.REVOKED and connection.refresh_token_enc == ""


def test_someone_elses_connection_cannot_be_disconnected(fake, connect, admin_user, csm_client):
    connection = connect(Provider.GOOGLE, user=admin_user)
    csm_client.get(reverse("conversations:connected"))
    response = csm_client.post(reverse("conversations:connection_disconnect", args=[connection.pk]))
    assert response.status_code == 404
