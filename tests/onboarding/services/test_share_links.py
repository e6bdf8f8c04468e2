"""Share links: only for a contact of the plan's account, for 1 to 365 days."""

import pytest

from onboarding import services
from tests.factories import ContactFactory


def test_share_link_validation(shared):
    from django.core.exceptions import ValidationError

    stranger = ContactFactory()
    with pytest.raises(ValidationError):
        services.share_link_create(plan=shared["plan"], contact=stranger)
    with pytest.raises(ValidationError):
        services.share_link_create(plan=shared["plan"], days=0)
    with pytest.raises(ValidationError):
        services.plan_goal_create(plan=shared["plan"], title="x", owner_contact=stranger)
