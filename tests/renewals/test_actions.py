"""The playbook action "open a risk" (renewals registers it into playbooks' action registry):
validated in the builder, one live risk per account and playbook, on the timeline."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import Activity
from playbooks.actions import ACTIONS, action_describe, action_type_choices, actions_validate
from playbooks.forms import ActionForm
from playbooks.services import playbook_save, playbooks_run
from renewals.models import ReasonCode, Risk
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.now().date()


def _action(**over):
    action = {
        "type": "open_risk",
        "risk_type": "churn",
        "severity": "high",
        "reason_code": str(ReasonCode.objects.get(code="low_adoption").pk),
        "due_in_days": "7",
    }
    return {**action, **over}


def test_registered_and_offered_in_the_builder():
    assert "open_risk" in ACTIONS and ("open_risk", "Open a risk") in action_type_choices()
    assert actions_validate([_action()]) == {}
    errors = actions_validate([_action(severity="apocalyptic", reason_code="999999", due_in_days="")])
    assert set(errors) == {"actions[0].severity", "actions[0].reason_code", "actions[0].due_in_days"}
    assert action_describe(_action()) == "Open a churn risk (high), due in 7 days"
    # the builder's form has one select per setting, and round-trips the action
    form = ActionForm(data={f"open_risk__{k}": v for k, v in _action().items() if k != "type"} | {"type": "open_risk"})
    assert form.is_valid(), form.errors
    assert form.to_action() == _action()
    assert ActionForm.initial_for(_action())["open_risk__severity"] == "high"


def test_a_playbook_opens_one_risk_per_account(csm_user):
    account = AccountFactory(owner=csm_user, mrr=Decimal("500"), renewal_date=TODAY + timedelta(days=20))
    playbook = playbook_save(
        name="Renewal at risk",
        trigger_type="renewal_due",
        trigger_params={"days": 90},
        actions=[_action()],
        enabled=True,
        cooldown_days=0,
    )
    playbooks_run(playbook_ids=[playbook.pk])
    risk = Risk.objects.get()
    assert (risk.account, risk.type, risk.severity, risk.source, risk.playbook) == (
        account,
        "churn",
        "high",
        "playbook",
        playbook,
    )
    assert (risk.arr_at_risk, risk.owner, risk.due_date) == (Decimal("6000"), csm_user, TODAY + timedelta(days=7))
    assert Activity.objects.get(account=account, metadata__event="opened").subject == (
        "Risk opened by playbook 'Renewal at risk': Churn (Low adoption)"
    )
    playbooks_run(playbook_ids=[playbook.pk])  # a rerun while the risk is live opens nothing
    assert Risk.objects.count() == 1


def test_saving_a_playbook_with_a_bad_risk_action_is_refused():
    with pytest.raises(ValidationError):
        playbook_save(
            name="Bad",
            trigger_type="renewal_due",
            trigger_params={"days": 90},
            actions=[_action(risk_type="meteor")],
            enabled=True,
        )
