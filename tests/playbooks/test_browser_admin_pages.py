"""Playwright: an admin opens the playbook list (its counts) and a playbook's run log, where a
run of 70 enrolments lists its latest 50. Screenshots saved to look at."""

from datetime import timedelta

import pytest
from django.utils import timezone

from playbooks.choices import TaskStatus
from playbooks.models import Enrolment, PlaybookRun
from tests.factories import AccountFactory
from tests.factories.playbooks import TaskFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_reads_playbook_counts_and_run_log(page, login, screenshot, admin_user, make_playbook):
    admin_user.set_password("pass1234!")
    admin_user.save()
    playbook = make_playbook("renewal_due", {"days": 90}, name="Renewal in 90 days")
    make_playbook("renewal_due", {"days": 30}, name="Renewal in 30 days")
    now = timezone.now()
    for step, status in enumerate([TaskStatus.OPEN, TaskStatus.OPEN, TaskStatus.DONE, TaskStatus.CANCELLED]):
        TaskFactory(playbook=playbook, step=step, status=status)
    run = PlaybookRun.objects.create(
        playbook=playbook, source="nightly", status="done", as_of=now.date(), matched=70, enrolled=70
    )
    for n in range(70):
        Enrolment.objects.create(
            playbook=playbook,
            account=AccountFactory(name=f"Account {n:02d}"),
            occurrence_key=f"k{n}",
            run=run,
            reason=f"renewal in {n + 20} days",
            created_at=now - timedelta(days=40 if n < 5 else 0, minutes=70 - n),
        )
    # only this run on the page (creating the accounts may have started event runs of their own)
    PlaybookRun.objects.filter(playbook=playbook).exclude(pk=run.pk).delete()
    login(admin_user)
    page.goto("/playbooks/")
    row = page.locator("#playbooks tbody tr", has_text="Renewal in 90 days")
    assert row.locator("td.num").all_inner_texts() == ["2", "65"]  # open + snoozed; enrolled in 30 days
    screenshot("playbook_list_counts")
    page.goto(f"/playbooks/{playbook.pk}/")
    details = page.locator('.card:has(h3:text-is("Runs")) details').first  # (the header bell is a <details> too)
    assert details.locator("tbody tr td.strong").count() == 50
    assert details.locator("tbody tr td.strong").first.inner_text() == "Account 69"
    assert "The latest 50 of 70 enrolments." in details.inner_text()
    screenshot("playbook_detail_run_log")
    details.get_by_text("The latest 50 of 70 enrolments.").scroll_into_view_if_needed()
    screenshot("playbook_detail_run_log_end", full_page=False)
