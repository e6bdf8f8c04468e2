import pytest

from core.audit.models import AuditEvent
from core.identity.models import ExternalIdentity
from core.identity.services import IdentityClaims, IdentityRefused, identity_deactivate, identity_user_sync
from core.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _mapping(settings):
    settings.PULSE_SSO_GROUP_ROLES = {"cs-admins": "admin", "cs-team": "csm"}
    settings.PULSE_SSO_DEFAULT_ROLE = ""


def claims(**kw):
    base = dict(
        provider="oidc",
        subject="sub-1",
        email="rana@example.com",
        username="rana",
        first_name="Rana",
        last_name="Haddad",
        groups=("cs-team",),
    )
    base.update(kw)
    return IdentityClaims(**base)


def test_first_sign_in_creates_a_user_without_a_password_and_links_the_identity():
    user = identity_user_sync(claims())
    assert (user.username, user.role, user.is_active) == ("rana", "csm", True)
    assert not user.has_usable_password()
    link = ExternalIdentity.objects.get(provider="oidc", subject="sub-1")
    assert link.user == user and link.groups == ["cs-team"]
    assert AuditEvent.objects.filter(object_type="core.user", action="create").count() == 1


def test_a_group_change_at_the_provider_moves_the_role_and_is_audited():
    user = identity_user_sync(claims())
    again = identity_user_sync(claims(groups=("cs-team", "cs-admins")))
    assert again.pk == user.pk and again.role == "admin"
    assert AuditEvent.objects.filter(object_type="core.user", action="update").count() == 1
    assert User.objects.count() == 1


def test_an_existing_user_is_matched_by_email_on_first_sign_in():
    invited = User.objects.create_user("rhaddad", email="Rana@Example.com", role="readonly")
    user = identity_user_sync(claims())
    assert user.pk == invited.pk and user.role == "csm"


def test_a_taken_username_gets_a_free_one():
    User.objects.create_user("rana", email="other@example.com")
    user = identity_user_sync(claims())
    assert user.username == "rana2"


def test_no_mapped_group_is_refused_and_a_known_user_is_deactivated():
    with pytest.raises(IdentityRefused):
        identity_user_sync(claims(groups=("engineering",)))
    assert not User.objects.exists()
    user = identity_user_sync(claims())
    with pytest.raises(IdentityRefused):
        identity_user_sync(claims(groups=()))
    user.refresh_from_db()
    assert not user.is_active


def test_deactivate_keeps_the_user_and_blocks_sign_in():
    user = identity_user_sync(claims(provider="scim", subject="ext-9"))
    assert identity_deactivate(provider="scim", subject="ext-9").pk == user.pk
    user.refresh_from_db()
    assert not user.is_active and User.objects.count() == 1
    assert identity_deactivate(provider="scim", subject="unknown") is None


def test_a_sign_in_never_revives_a_user_an_admin_deactivated():
    user = identity_user_sync(claims())
    user.is_active = False  # an admin turned them off in Pulse; the provider still lists them
    user.save(update_fields=["is_active"])
    with pytest.raises(IdentityRefused):
        identity_user_sync(claims())
    user.refresh_from_db()
    assert not user.is_active


def test_a_user_the_provider_turned_off_comes_back_when_it_lists_them_again():
    user = identity_user_sync(claims())
    with pytest.raises(IdentityRefused):
        identity_user_sync(claims(groups=()))  # removed from every mapped group: deactivated
    assert identity_user_sync(claims()).is_active  # back in cs-team
    user.refresh_from_db()
    assert user.is_active and not ExternalIdentity.objects.get().deactivated_by_provider


def test_scim_active_decides_both_ways():
    user = identity_user_sync(claims(provider="scim", subject="ext-1", active=False))
    assert not user.is_active and ExternalIdentity.objects.get().deactivated_by_provider
    assert identity_user_sync(claims(provider="scim", subject="ext-1", active=True)).is_active
