"""Admin-written task and e-mail templates see plain values of allowed fields only: no password
hash, no model methods, no tags that reach files or settings (playbooks.template_context)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from playbooks.evaluation import playbook_evaluate
from playbooks.models import EmailMessage, Task
from playbooks.services import email_template_save, task_template_save
from playbooks.template_context import render_text, template_context
from tests.factories import AccountFactory, ContactFactory, UserFactory
from tests.factories.playbooks import EmailTemplateFactory, TaskTemplateFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.now().date()

LEAKS = (
    "[{{ csm.password }}][{{ account.owner.password }}][{{ account.owner.manager.password }}]"
    "[{{ account.delete }}][{{ account.save }}][{{ csm.get_session_auth_hash }}][{{ csm.set_unusable_password }}]"
    "[{{ account.keys }}][{{ account.items }}][{{ contact.account.owner.password }}][{{ account.custom_fields }}]"
    "[{{ account.owner.is_superuser }}][{{ account.nope }}]"
)


@pytest.fixture
def renewing_account():
    owner = UserFactory(first_name="Carla", last_name="Cruz", email="carla@cs.example")
    owner.set_password("hunter2-secret")
    owner.save()
    account = AccountFactory(
        name="Initech",
        owner=owner,
        tier="key",
        mrr=Decimal("1000"),
        renewal_date=TODAY + timedelta(days=30),
        custom_fields={"secret": "s3"},
    )
    account.refresh_from_db()
    return account


def test_password_hashes_and_methods_print_nothing_in_tasks_and_emails(make_playbook, renewing_account):
    # given: templates that try to read secrets and call methods
    task_template = TaskTemplateFactory(title="Call {{ account.name }}", body=LEAKS)
    email_template = EmailTemplateFactory(subject="For {{ contact.first_name }}", body=LEAKS + "{{ csm.name }}")
    ContactFactory(account=renewing_account, name="Peter Gibbons", email="peter@initech.example")
    pb = make_playbook(
        "renewal_due",
        {"days": 90},
        actions=[
            {"type": "task", "template": task_template.pk},
            {"type": "email", "template": email_template.pk, "require_approval": True},
        ],
    )
    # when
    playbook_evaluate(playbook=pb, as_of=TODAY)
    # then
    task, message = Task.objects.get(), EmailMessage.objects.get()
    empty = "[]" * 13
    assert task.title == "Call Initech"
    assert task.body == empty
    assert message.subject == "For Peter"
    assert message.body == empty + "Carla Cruz"
    renewing_account.refresh_from_db()
    assert renewing_account.owner.has_usable_password()  # set_unusable_password was not called


def test_allowed_fields_render(renewing_account):
    contact = ContactFactory(account=renewing_account, name="Peter Gibbons", email="peter@initech.example")

    class Playbook:
        name = "Renewals"

    context = template_context(
        playbook=Playbook(), account=renewing_account, reason="renews soon", signal={"days": 30}, contact=contact
    )
    text = render_text(
        "{{ account }}|{{ account.tier }}|{{ account.arr }}|{{ account.owner.email }}|{{ csm.first_name }}|"
        "{{ contact.first_name }}|{{ contact.email }}|{{ playbook.name }}|{{ reason }}|{{ signal.days }}|"
        "{{ account.days_to_renewal }}|{{ contact.title|default:'there' }}|"
        "{% if account.health %}x{% else %}-{% endif %}",
        context,
    )
    assert render_text("[{% for x in account %}{{ x }}{% endfor %}]", context) == "[]"
    assert text == (
        "Initech|Key|12000.00|carla@cs.example|Carla|Peter|peter@initech.example|Renewals|renews soon|30|30|there|-"
    )


@pytest.mark.parametrize(
    "source",
    [
        "{% load static %}{% static 'x' %}",
        "{% include 'base.html' %}",
        "{% extends 'base.html' %}",
        "{% debug %}",
        "{% csrf_token %}",
        "{% url 'login' %}",
    ],
)
def test_tags_that_reach_files_or_settings_are_refused_on_save(source):
    with pytest.raises(ValidationError):
        task_template_save(name="x", title="t", body=source, priority=1, due_in_days=1, assignee_rule="owner")
    with pytest.raises(ValidationError):
        email_template_save(name="y", subject=source, body="b")
    assert render_text(source, {}) == source  # a template stored before is shown as typed


def test_template_form_lists_the_placeholders(client, admin_user):
    client.force_login(admin_user)
    html = client.get(reverse("playbooks:email_template_create")).content.decode()
    assert "account.owner.name / .first_name / .email" in html and "contact.name" in html
