"""Map versioning: a published version never changes; editing makes a new version; plans keep
the version they started on."""

import pytest
from django.core.exceptions import ValidationError

from onboarding import services
from onboarding.choices import MapVersionStatus
from onboarding.models import SuccessMapVersion


def test_published_version_is_read_only(published_map):
    # given
    v1 = published_map.versions.get()
    stage = v1.stages.first()
    # when / then
    with pytest.raises(ValidationError):
        services.stage_create(version=v1, name="Sneaky")
    with pytest.raises(ValidationError):
        services.milestone_create(stage=stage, title="Sneaky")
    with pytest.raises(ValidationError):
        services.stage_delete(stage=stage)
    with pytest.raises(ValidationError):
        services.stage_update(stage=stage, name="Renamed")
    assert v1.stages.count() == 3
    stage.refresh_from_db()
    assert stage.name == "Set up"


def test_editing_creates_a_new_version_and_plans_keep_theirs(published_map, account):
    # given: a plan on v1
    plan = services.success_plan_start(account=account, success_map=published_map)
    v1 = plan.map_version
    v1_stage_names = list(v1.stages.values_list("name", flat=True))
    v1_goal_titles = sorted(plan.goals.values_list("title", flat=True))

    # when: the admin edits the map (a draft copy) and publishes it
    draft = services.success_map_draft(success_map=published_map)
    assert draft.number == 2 and draft.status == MapVersionStatus.DRAFT
    assert services.success_map_draft(success_map=published_map) == draft  # one draft at a time
    set_up = draft.stages.get(name="Set up")
    services.milestone_create(stage=set_up, title="Invite the team")
    services.stage_delete(stage=draft.stages.get(name="Expand"))
    services.stage_create(version=draft, name="Advocate")
    services.success_map_publish(version=draft, note="Advocacy stage")

    # then: v1 is retired but unchanged, the plan still on it with its goals
    v1.refresh_from_db()
    plan.refresh_from_db()
    assert v1.status == MapVersionStatus.RETIRED
    assert list(v1.stages.values_list("name", flat=True)) == v1_stage_names
    assert plan.map_version_id == v1.pk
    assert sorted(plan.goals.values_list("title", flat=True)) == v1_goal_titles
    # stages keep their key across versions
    assert set_up.key == v1.stages.get(name="Set up").key
    # and a new plan starts on v2
    other = type(account).objects.create(external_id="acc-new", name="Newco")
    plan2 = services.success_plan_start(account=other, success_map=published_map)
    assert plan2.map_version.number == 2
    assert "Invite the team" in plan2.goals.values_list("title", flat=True)
    assert SuccessMapVersion.objects.filter(success_map=published_map, status=MapVersionStatus.PUBLISHED).count() == 1


def test_publish_needs_a_stage(db):
    from tests.factories.onboarding import PersonaFactory

    success_map = services.success_map_create(persona=PersonaFactory(), name="Empty")
    with pytest.raises(ValidationError):
        services.success_map_publish(version=success_map.versions.get())
