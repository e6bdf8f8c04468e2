"""The inbox's groups read in one query when every group fits on its page
(playbooks.selectors.inbox_for): the same rows, in the same order, as each group's own query."""

from datetime import timedelta

import pytest
from django.utils import timezone

from playbooks.choices import Priority, TaskStatus
from playbooks.selectors import inbox_for, inbox_group_page
from playbooks.selectors.inbox import INBOX_GROUPS, _first_rows, _group_filter, _inbox_tasks
from tests.factories import AccountFactory, UserFactory
from tests.factories.playbooks import TaskFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.now().date()


def _tasks(csm):
    account = AccountFactory(owner=csm)
    days = (-9, -3, -3, -1, 0, 0, 1, 4, 4, 30)
    priorities = (Priority.LOW, Priority.URGENT, Priority.HIGH, Priority.NORMAL)
    for n, day in enumerate(days):
        TaskFactory(account=account, due_date=TODAY + timedelta(day), priority=priorities[n % 4])
    TaskFactory(account=account, due_date=TODAY + timedelta(2), priority=Priority.HIGH)  # same key as another
    TaskFactory(account=account, due_date=TODAY + timedelta(2), priority=Priority.HIGH)
    for back in (5, 2, 2):  # asleep: the snoozed group, by the day they come back
        TaskFactory(account=account, status=TaskStatus.SNOOZED, snoozed_until=TODAY + timedelta(back))
    # back today or before: in its due date's group again
    TaskFactory(account=account, status=TaskStatus.SNOOZED, snoozed_until=TODAY, due_date=TODAY - timedelta(1))
    TaskFactory(account=account, status=TaskStatus.DONE, due_date=TODAY - timedelta(1))  # not in the inbox
    TaskFactory(due_date=TODAY)  # someone else's


def _per_group(csm, limit):
    qs = _inbox_tasks(assignee_id=csm.pk, priority=None, q="")
    return {
        key: [t.pk for t in _first_rows(qs.filter(_group_filter(key, TODAY)), key, limit)] for key, _ in INBOX_GROUPS
    }


def test_groups_read_at_once_equal_each_groups_own_query(django_assert_num_queries):
    # given an inbox whose groups all fit on a page, with ties in priority and due date
    csm = UserFactory()
    _tasks(csm)
    expected = _per_group(csm, 25)
    # when the inbox is read
    with django_assert_num_queries(2):  # the counts, and the rows of every group
        inbox = inbox_for(assignee_id=csm.pk, today=TODAY)
    # then each group has the rows and order its own query gives
    assert {key: [t.pk for t in getattr(inbox, key)] for key, _ in INBOX_GROUPS} == expected
    assert inbox.counts == {"overdue": 5, "today": 2, "upcoming": 6, "snoozed": 3}


def test_a_group_over_the_page_reads_each_group_on_its_own(django_assert_num_queries):
    # given an inbox with a group longer than the page
    csm = UserFactory()
    _tasks(csm)
    expected = _per_group(csm, 4)
    # when the inbox is read 4 rows a group
    with django_assert_num_queries(5):  # the counts, and one query per group
        inbox = inbox_for(assignee_id=csm.pk, today=TODAY, limit=4)
    # then each group shows its first rows
    assert {key: [t.pk for t in getattr(inbox, key)] for key, _ in INBOX_GROUPS} == expected
    assert inbox.upcoming and len(inbox.upcoming) == 4 and inbox.counts["upcoming"] == 6


def test_the_last_rows_of_a_group_are_counted_without_a_count_query(django_assert_num_queries):
    # given a group of 6 upcoming tasks, the first 4 shown
    csm = UserFactory()
    _tasks(csm)
    shown = inbox_for(assignee_id=csm.pk, today=TODAY, limit=4).upcoming
    # when the next page of 4 is asked for (2 rows follow)
    with django_assert_num_queries(2):  # the last row shown, the rows
        page = inbox_group_page(assignee_id=csm.pk, key="upcoming", after_id=shown[-1].pk, today=TODAY, limit=4)
    # then the count is the rows that follow, and nothing more is left
    assert page.count == len(page.tasks) == 2 and page.more == 0
    assert [t.pk for t in shown + page.tasks] == _per_group(csm, 25)["upcoming"]
    # and a page that is full still counts what follows
    with django_assert_num_queries(3):
        first = inbox_group_page(assignee_id=csm.pk, key="upcoming", after_id=0, today=TODAY, limit=4)
    assert first.count == 6 and first.more == 2
