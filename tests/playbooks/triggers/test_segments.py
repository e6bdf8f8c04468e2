"""The segment-entered trigger (playbooks/triggers/segments.py)."""

import pytest
from django.utils import timezone

from playbooks.evaluation import playbook_evaluate
from playbooks.models import Enrolment, Task
from tests.factories import AccountFactory
from tests.playbooks.triggers.support import fired

pytestmark = pytest.mark.django_db

TODAY = timezone.now().date()


def test_segment_entered_fires_on_entering_not_for_the_baseline(make_playbook):
    already, mover = AccountFactory(segment="Enterprise"), AccountFactory(segment="SMB")
    pb = make_playbook("segment_entered", {"field": "segment", "value": "Enterprise"})
    assert fired(pb, as_of=TODAY) == {}  # baseline: who is in already does not fire
    mover.segment = "Enterprise"
    mover.save()
    tasks = fired(pb, as_of=TODAY)
    assert list(tasks) == [mover.pk] and "entered segment 'Enterprise'" in tasks[mover.pk]
    assert already.pk not in tasks
    # leaving and re-entering is a new occurrence
    Task.objects.filter(playbook=pb).update(status="done")
    mover.segment = "SMB"
    mover.save()
    fired(pb, as_of=TODAY)
    mover.segment = "Enterprise"
    mover.save()
    playbook_evaluate(playbook=pb, as_of=TODAY)
    assert Enrolment.objects.filter(playbook=pb, account=mover).count() == 2
