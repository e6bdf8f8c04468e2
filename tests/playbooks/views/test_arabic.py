"""Every playbooks page in Arabic: no English left in its content but the data the test wrote
(tests/english_left.py), the builder's trigger, condition and action lines included."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.choices import LifecycleStage
from playbooks.evaluation import playbook_evaluate
from playbooks.models import Task
from tests.english_left import english_left, get_in
from tests.factories import AccountFactory, ContactFactory
from tests.factories.playbooks import EmailTemplateFactory, TaskFactory, TaskTemplateFactory

TODAY = timezone.now().date()


@pytest.fixture
def book(admin_user, make_playbook):
    """A renewal playbook (a task and an e-mail held for approval, tier and ARR conditions) that ran
    once for one account, plus a task of the admin's own."""
    task_template = TaskTemplateFactory(name="Renewal prep", title="Prepare {{ account.name }}")
    email_template = EmailTemplateFactory(name="Renewal note", subject="Hello", body="Hi there")
    account = AccountFactory(
        name="Initech", owner=admin_user, renewal_date=TODAY + timedelta(days=30), mrr=Decimal("1000")
    )
    ContactFactory(account=account, name="Peter", email="peter@initech.example")
    playbook = make_playbook(
        "renewal_due",
        {"days": 90},
        actions=[
            {"type": "task", "template": task_template.pk},
            {"type": "email", "template": email_template.pk, "require_approval": True, "max_contacts": 2},
        ],
        conditions={"tiers": ["standard"], "arr_min": 100},
        name="Renewals",
    )
    playbook_evaluate(playbook=playbook, as_of=TODAY)
    own = TaskFactory(account=account, assignee=admin_user, title="Call Peter", due_date=TODAY - timedelta(days=2))
    task = Task.objects.filter(playbook=playbook).first()
    from playbooks.models import Enrolment
    from renewals.models import PipelineStage, ReasonCode

    data = [
        # Stored as written: the admin's reason codes and pipeline stages, and the run log (what each
        # action did, recorded when it ran; docs/decisions.md "Content per language").
        *ReasonCode.objects.values_list("label", flat=True),
        *PipelineStage.objects.values_list("name", flat=True),
        *[line for e in Enrolment.objects.filter(playbook=playbook) for line in e.outcome],
        # The accounts floor's own choices (lifecycle stages) are translated and tested there.
        *[str(label) for _value, label in LifecycleStage.choices],
        account.name,
        str(admin_user),
        "Peter",
        "peter@initech.example",
        "Renewals",
        "Renewal prep",
        "Renewal note",
        "Prepare Initech",
        "Prepare {{ account.name }}",
        "Hello",
        "Hi there",
        "Call Peter",
        # A trigger's reason is said in the reader's language (playbooks.reasons): not data. A task
        # made by hand keeps its reason as written, and a task's body is the admin's template as
        # rendered when the task was made ("Because {{ reason }}"), in the template's language.
        own.reason,
        task.body,
        "SMB",
        "USD",
    ]
    return {
        "playbook": playbook,
        "task": task,
        "email_template": email_template,
        "task_template": task_template,
        "data": data,
    }


PAGES = [
    ("playbooks:inbox", lambda b: [], ""),
    ("playbooks:team", lambda b: [], ""),
    ("playbooks:task_detail", lambda b: [b["task"].pk], ""),
    ("playbooks:playbook_list", lambda b: [], ""),
    ("playbooks:playbook_detail", lambda b: [b["playbook"].pk], ""),
    ("playbooks:playbook_edit", lambda b: [b["playbook"].pk], ""),
    ("playbooks:playbook_create", lambda b: [], ""),
    ("playbooks:playbook_history", lambda b: [b["playbook"].pk], ""),
    ("playbooks:cadence", lambda b: [], ""),
    ("playbooks:task_template_edit", lambda b: [b["task_template"].pk], ""),
    ("playbooks:email_template_edit", lambda b: [b["email_template"].pk], ""),
    ("playbooks:email_template_edit", lambda b: [b["email_template"].pk], "?lang=fa"),
]


@pytest.mark.parametrize("name, args, query", PAGES, ids=[p[0] + p[2] for p in PAGES])
def test_page_in_arabic_has_no_english_chrome(admin_client, book, name, args, query):
    url = reverse(name, args=args(book)) + query
    response = get_in(admin_client, url, "ar")
    assert response.status_code == 200
    assert english_left(response.content.decode(), book["data"]) == []
    assert english_left(get_in(admin_client, url, "en").content.decode(), book["data"])
