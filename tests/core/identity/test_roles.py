import pytest

from core.identity.roles import role_for_groups

MAPPING = {"CS-Admins": "admin", "cs-leads": "manager", "cs-team": "csm", "bogus": "owner"}


@pytest.fixture(autouse=True)
def _mapping(settings):
    settings.PULSE_SSO_GROUP_ROLES = MAPPING
    settings.PULSE_SSO_DEFAULT_ROLE = ""


def test_the_highest_mapped_role_wins():
    assert role_for_groups(["cs-team", "cs-leads", "engineering"]) == "manager"
    assert role_for_groups(["cs-admins"]) == "admin"  # group names compare case-insensitively


def test_no_mapped_group_is_refused_without_a_default(settings):
    assert role_for_groups(["engineering"]) is None
    assert role_for_groups([]) is None
    settings.PULSE_SSO_DEFAULT_ROLE = "readonly"
    assert role_for_groups(["engineering"]) == "readonly"


def test_a_mapping_to_an_unknown_role_is_ignored():
    assert role_for_groups(["bogus"]) is None
