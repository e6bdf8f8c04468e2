"""The touch cadence form (playbooks/views/cadence.py)."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_admin_edits_the_touch_cadence(admin_client):
    from accounts.models import TouchCadence

    assert admin_client.get(reverse("playbooks:cadence")).status_code == 200
    data = {"strategic": "2", "key": "7", "standard": "30", "tech_touch": "0"}
    assert admin_client.post(reverse("playbooks:cadence"), data).status_code == 400
    data["tech_touch"] = "120"
    assert admin_client.post(reverse("playbooks:cadence"), data).status_code == 302
    assert TouchCadence.days_by_tier() == {"strategic": 2, "key": 7, "standard": 30, "tech_touch": 120}


def test_cadence_is_for_admins(csm_client):
    assert csm_client.get(reverse("playbooks:cadence")).status_code == 403
