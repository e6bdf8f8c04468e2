"""`recompute_health` (health/management/commands/recompute_health.py)."""

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command

from health.models import HealthScore
from health.services import today

pytestmark = pytest.mark.django_db


def test_command(book, capsys):
    call_command("recompute_health", "--backfill", "5")
    assert HealthScore.objects.filter(account=book[1]).count() == 5
    call_command("recompute_health", "--as-of", (today() - timedelta(days=2)).isoformat())
    assert HealthScore.objects.filter(account=book[1]).count() == 5
    call_command("recompute_health", "--account", "quiet")
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("recompute_health", "--as-of", "31/03/2026")
    with pytest.raises(CommandError, match="future"):
        call_command("recompute_health", "--as-of", (today() + timedelta(days=1)).isoformat())
    with pytest.raises(CommandError, match="unknown"):
        call_command("recompute_health", "--account", "nope")
