import pytest

from playbooks.services import playbook_save
from tests.factories.playbooks import TaskTemplateFactory


@pytest.fixture
def make_playbook(db):
    """make_playbook(trigger_type, params, actions=None, **fields): an enabled playbook with one
    task action (from a fresh template) unless `actions` is given."""

    def make(trigger_type, params=None, actions=None, **fields):
        if actions is None:
            actions = [{"type": "task", "template": TaskTemplateFactory().pk}]
        fields.setdefault("name", f"PB {trigger_type} {make.n}")
        fields.setdefault("cooldown_days", 0)
        make.n += 1
        return playbook_save(
            trigger_type=trigger_type, trigger_params=params or {}, actions=actions, enabled=True, **fields
        )

    make.n = 0
    return make
