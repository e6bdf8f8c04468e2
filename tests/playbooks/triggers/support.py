"""What the trigger tests share: run a playbook and read the reasons it wrote."""

from health.models import HealthScore
from playbooks.evaluation import playbook_evaluate
from playbooks.models import Task


def fired(playbook, **kwargs):
    """{account_id: reason} of the tasks one evaluation created."""
    playbook_evaluate(playbook=playbook, **kwargs)
    return dict(Task.objects.filter(playbook=playbook).values_list("account_id", "reason"))


def score(account, day, value, band):
    HealthScore.objects.create(account=account, day=day, score=value, band=band, measures={})
