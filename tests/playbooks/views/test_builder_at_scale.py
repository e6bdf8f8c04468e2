"""The admin playbook pages at scale: the list's counts (open tasks, enrolments in 30 days) stay
exactly what they were while each is counted on its own table, and the list, detail and history
pages run a number of queries that does not grow with playbooks, tasks, enrolments or runs."""

import itertools
from datetime import timedelta

import pytest
from django.db import connection
from django.db.models.signals import post_init
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from playbooks.choices import TaskStatus
from playbooks.models import Enrolment, PlaybookRun, Task
from playbooks.selectors import playbook_list
from playbooks.services import playbook_save
from tests.factories import AccountFactory
from tests.factories.playbooks import TaskFactory

pytestmark = pytest.mark.django_db

# Enrolment ages in days: inside the 30-day window, just inside, just outside, long ago.
ENROLMENT_AGES = (0, 3, 29, 31, 90)


def _populate(make_playbook, *, playbooks: int, per_status: int = 1, prefix: str = "Scale"):
    """`playbooks` playbooks, each with tasks in every status (several steps, so several open
    tasks per account) and enrolments of every age; returns the expected counts, computed here
    from what was written (not by the database)."""
    now = timezone.now()
    expected = {}
    for i in range(playbooks):
        playbook = make_playbook("renewal_due", {"days": 90}, name=f"{prefix} {i:02d}")
        open_tasks = enrolled = 0
        for step, status in enumerate(itertools.chain.from_iterable([s] * (per_status + i) for s in TaskStatus)):
            extra = {"snoozed_until": now.date() + timedelta(days=3)} if status == TaskStatus.SNOOZED else {}
            TaskFactory(playbook=playbook, step=step, status=status, **extra)
            open_tasks += status in (TaskStatus.OPEN, TaskStatus.SNOOZED)
        for n, age in enumerate(ENROLMENT_AGES * (i + 1)):
            Enrolment.objects.create(
                playbook=playbook,
                account=AccountFactory(),
                occurrence_key=f"k{n}",
                reason="test",
                created_at=now - timedelta(days=age, hours=1 if age else 0),
            )
            enrolled += age < 30
        expected[playbook.pk] = (open_tasks, enrolled)
    TaskFactory(playbook=None)  # a task no playbook made counts for none
    return expected


def test_playbook_list_counts_match_the_rows_written(make_playbook):
    expected = _populate(make_playbook, playbooks=3)
    idle = make_playbook("renewal_due", {"days": 30}, name="Idle")
    expected[idle.pk] = (0, 0)
    got = {p.pk: (p.open_tasks, p.enrolled_30d) for p in playbook_list()}
    assert got == expected
    # tasks of every status and enrolments of every age exist, so each filter is exercised
    assert set(Task.objects.values_list("status", flat=True)) == set(TaskStatus.values)


def test_playbook_list_page_shows_the_counts(admin_client, make_playbook):
    expected = _populate(make_playbook, playbooks=2)
    html = admin_client.get(reverse("playbooks:playbook_list")).content.decode()
    for pk, (open_tasks, enrolled) in expected.items():
        row = html[html.index(reverse("playbooks:playbook_detail", args=[pk])) :]
        row = row[: row.index("</tr>")]
        assert f'<td class="num">{open_tasks}</td><td class="num">{enrolled}</td>' in row


def test_playbook_list_counts_each_relation_on_its_own(admin_client, make_playbook):
    """The old query joined tasks and enrolments in one statement and counted distinct ids: the
    database built tasks x enrolments rows per playbook (more than 30 s at 100k accounts)."""
    _populate(make_playbook, playbooks=2)
    with CaptureQueriesContext(connection) as queries:
        assert admin_client.get(reverse("playbooks:playbook_list")).status_code == 200
    for query in queries.captured_queries:
        sql = query["sql"].lower()
        assert not ('join "playbooks_task"' in sql and 'join "playbooks_enrolment"' in sql), sql
        assert "count(distinct" not in sql, sql


def _query_count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_playbook_list_queries_stay_flat(admin_client, make_playbook):
    _populate(make_playbook, playbooks=1)
    few = _query_count(admin_client, reverse("playbooks:playbook_list"))
    _populate(make_playbook, playbooks=4, per_status=3, prefix="More")
    assert _query_count(admin_client, reverse("playbooks:playbook_list")) == few
    assert few <= 12


def _runs_with_enrolments(playbook, *, runs: int, per_run: int):
    """`runs` runs of the playbook, each enrolling `per_run` accounts (the newest last)."""
    now = timezone.now()
    made = []
    for r in range(runs):
        run = PlaybookRun.objects.create(
            playbook=playbook, source="nightly", status="done", as_of=now.date(), started_at=now - timedelta(hours=r)
        )
        for n in range(per_run):
            Enrolment.objects.create(
                playbook=playbook,
                account=AccountFactory(name=f"Run {r} account {n:03d}"),
                occurrence_key=f"r{r}-{n}",
                run=run,
                reason="test",
                created_at=now - timedelta(hours=r, minutes=per_run - n),
            )
        made.append(run)
    return made


@pytest.fixture
def enrolments_loaded():
    """How many Enrolment rows were turned into objects while the test ran."""
    seen = []

    def count(sender, instance, **kwargs):
        seen.append(instance)

    post_init.connect(count, sender=Enrolment)
    yield seen
    post_init.disconnect(count, sender=Enrolment)


RUN_ENROLMENTS_SHOWN = 50  # playbooks.views.RUN_ENROLMENTS_SHOWN


def test_playbook_detail_loads_only_the_enrolments_it_shows(admin_client, make_playbook, enrolments_loaded):
    """A run of thousands of enrolments lists its latest 50: the page used to load every one of
    them (with its account) and drop all but 50 in the template."""
    playbook = make_playbook("renewal_due", {"days": 90})
    newest, older = _runs_with_enrolments(playbook, runs=2, per_run=RUN_ENROLMENTS_SHOWN + 20)
    enrolments_loaded.clear()
    html = admin_client.get(reverse("playbooks:playbook_detail", args=[playbook.pk])).content.decode()
    # each run's 50 plus the 25 "recent" of the whole playbook
    assert len(enrolments_loaded) <= 2 * RUN_ENROLMENTS_SHOWN + 25
    shown = [n for n in range(RUN_ENROLMENTS_SHOWN + 20) if f"Run 0 account {n:03d}<" in html]
    assert shown == list(range(20, RUN_ENROLMENTS_SHOWN + 20))  # the newest 50 of the run, not the oldest


def test_playbook_detail_and_history_queries_stay_flat(admin_client, make_playbook):
    playbook = make_playbook("renewal_due", {"days": 90})
    _runs_with_enrolments(playbook, runs=1, per_run=2)
    pages = [reverse(f"playbooks:{name}", args=[playbook.pk]) for name in ("playbook_detail", "playbook_history")]
    few = [_query_count(admin_client, url) for url in pages]
    _runs_with_enrolments(playbook, runs=12, per_run=5)
    _populate(make_playbook, playbooks=1, per_status=3)
    for n in range(3):  # more versions for the history
        playbook = playbook_save(playbook=playbook, cooldown_days=n + 1)
    assert [_query_count(admin_client, url) for url in pages] == few
