"""The success map editor: admins only; one URL per change of a draft; errors name their field."""

import pytest
from django.urls import reverse

from core.choices import Role
from onboarding.choices import MapVersionStatus
from onboarding.models import SuccessMap
from tests.factories import UserFactory


@pytest.mark.parametrize("name", ["onboarding:map_list", "onboarding:checklist_list"])
def test_config_pages_are_admin_only(client, name, db):
    for role, status in [(Role.READONLY, 403), (Role.CSM, 403), (Role.MANAGER, 403), (Role.ADMIN, 200)]:
        client.force_login(UserFactory(role=role))
        assert client.get(reverse(name)).status_code == status, role


def test_admin_builds_and_publishes_a_map(admin_client, db):
    # given
    url = reverse("onboarding:map_list")
    admin_client.get(url)  # the page that holds the form, as a browser has it
    admin_client.post(reverse("onboarding:persona_create"), {"name": "Ops lead", "description": "Runs the tool"})
    persona_id = __import__("accounts.models", fromlist=["Persona"]).Persona.objects.get(name="Ops lead").pk
    # when
    response = admin_client.post(reverse("onboarding:map_create"), {"persona": persona_id, "name": "Ops road"})
    success_map = SuccessMap.objects.get(name="Ops road")
    edit = reverse("onboarding:map_edit", args=[success_map.pk])
    assert response.url == edit
    admin_client.post(reverse("onboarding:stage_create", args=[success_map.pk]), {"name": "Launch"})
    stage = success_map.versions.get().stages.get()
    admin_client.post(
        reverse("onboarding:milestone_create", args=[stage.pk]),
        {
            "title": "First report",
            "kind": "event",
            "event_name": "report_created",
        },
    )
    bad = admin_client.post(
        reverse("onboarding:milestone_create", args=[stage.pk]), {"title": "x", "kind": "event"}, follow=True
    )
    admin_client.post(
        reverse("onboarding:vehicle_create", args=[stage.pk]),
        {
            "title": "Academy",
            "kind": "curriculum",
            "url": "https://academy.example.com",
        },
    )
    admin_client.post(reverse("onboarding:stage_update", args=[stage.pk]), {"name": "Go live", "description": "Live"})
    admin_client.post(reverse("onboarding:map_publish", args=[success_map.pk]), {"note": "first"})
    # then
    assert bad.status_code == 400 and "event_name" in bad.content.decode()  # the field and the reason
    assert "Name the usage event" in bad.content.decode()
    version = success_map.versions.get()
    assert version.status == MapVersionStatus.PUBLISHED
    stage.refresh_from_db()
    assert (stage.name, stage.description) == ("Go live", "Live")
    assert list(stage.milestones.values_list("title", "event_name")) == [("First report", "report_created")]
    assert stage.vehicles.get().url == "https://academy.example.com"
    page = admin_client.get(edit).content.decode()
    assert "Edit (creates version 2)" in page
    admin_client.post(reverse("onboarding:map_draft", args=[success_map.pk]))
    assert success_map.versions.count() == 2


def test_map_actions_are_admin_only_and_publish_needs_a_draft(client, admin_user, published_map):
    # given a published map without a draft, and a manager who has a page (and its token) open
    publish = reverse("onboarding:map_publish", args=[published_map.pk])
    stage = published_map.versions.get().stages.first()
    client.force_login(UserFactory(role=Role.MANAGER))
    client.get(reverse("onboarding:board"))
    # when / then: a manager may not change maps
    assert client.post(reverse("onboarding:map_draft", args=[published_map.pk])).status_code == 403
    assert client.post(reverse("onboarding:stage_delete", args=[stage.pk])).status_code == 403
    # an admin publishing with no draft is told so, on the editor
    client.force_login(admin_user)
    client.get(reverse("onboarding:map_edit", args=[published_map.pk]))
    response = client.post(publish, follow=True)
    assert response.status_code == 200 and "There is no draft to publish." in response.content.decode()
    # a published stage is read-only: the service's reason comes back on the editor
    bad = client.post(reverse("onboarding:stage_update", args=[stage.pk]), {"name": "Renamed"})
    assert bad.status_code == 400 and 'id="form-errors"' in bad.content.decode()
    stage.refresh_from_db()
    assert stage.name != "Renamed"
