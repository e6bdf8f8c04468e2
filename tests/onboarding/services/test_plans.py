"""Success plans: started once on a map's published version, stages validated, advanced as milestones are done."""

import pytest
from django.core.exceptions import ValidationError

from onboarding import services
from onboarding.choices import PlanStatus


def test_plan_start_is_idempotent_and_validates_stages(published_map, account):
    # given
    stages = list(published_map.versions.get().stages.all())
    # when
    plan = services.success_plan_start(
        account=account, success_map=published_map, current_stage=stages[1], target_stage=stages[2]
    )
    again = services.success_plan_start(account=account, success_map=published_map)
    # then
    assert again.pk == plan.pk
    assert plan.current_stage == stages[1] and plan.target_stage == stages[2]
    # only milestones from the current stage to the target become goals
    assert sorted(plan.goals.values_list("title", flat=True)) == ["Busy month", "Second team"]
    plan.status = PlanStatus.CLOSED
    plan.save()
    with pytest.raises(ValidationError):
        services.success_plan_start(
            account=account, success_map=published_map, current_stage=stages[2], target_stage=stages[0]
        )


def test_plan_advances_when_stage_milestones_are_done(published_map, account):
    # given
    plan = services.success_plan_start(account=account, success_map=published_map)
    setup_goals = list(plan.goals.filter(stage__name="Set up"))
    # when: every milestone of the first stage is ticked
    for goal in setup_goals:
        services.plan_goal_toggle(goal=goal, done=True)
    # then
    plan.refresh_from_db()
    assert plan.current_stage.name == "Adopt"
