"""Every onboarding factory makes a valid row, and the rows hang together."""

from tests.factories import (
    AccountChecklistItemFactory,
    MilestoneFactory,
    PlanGoalFactory,
    PlanShareLinkFactory,
    SuccessVehicleFactory,
)


def test_factories_make_connected_rows(db):
    # given / when
    goal = PlanGoalFactory()
    link = PlanShareLinkFactory(plan=goal.plan)
    milestone = MilestoneFactory(stage=goal.stage)
    vehicle = SuccessVehicleFactory(stage=goal.stage)
    item = AccountChecklistItemFactory(checklist__account=goal.plan.account)
    # then
    assert goal.plan.map_version == goal.stage.version == milestone.stage.version == vehicle.stage.version
    assert link.is_usable() and not goal.is_done
    assert item.checklist.account == goal.plan.account and item.due_date > item.checklist.contract_start
    milestone.full_clean()
