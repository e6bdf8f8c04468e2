"""Actions: assignee rules, email rendering / approval / fatigue, webhook and Slack posts,
lifecycle stage, survey, checklist and success plan."""

import json
from datetime import timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import Activity
from core.choices import Role
from playbooks.assignment import assignees_resolve
from playbooks.choices import AssigneeRule, EmailStatus, PostStatus
from playbooks.evaluation import playbook_evaluate
from playbooks.models import EmailMessage, OutboundPost, Task
from playbooks.services import email_message_approve, email_message_reject, email_message_send, playbook_save
from tests.factories import AccountFactory, ContactFactory, UserFactory
from tests.factories.playbooks import EmailTemplateFactory, TaskFactory, TaskTemplateFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.now().date()


def renewing(**kwargs):
    kwargs.setdefault("renewal_date", TODAY + timedelta(days=30))
    kwargs.setdefault("mrr", Decimal("1000"))
    return AccountFactory(**kwargs)


# Section: assignees


def test_owner_and_owners_manager_with_fallback():
    boss = UserFactory(role=Role.MANAGER)
    owner = UserFactory(role=Role.CSM, manager=boss)
    lonely = UserFactory(role=Role.CSM)
    a1, a2, orphan = AccountFactory(owner=owner), AccountFactory(owner=lonely), AccountFactory(owner=None)
    accounts = [a1, a2, orphan]
    assert assignees_resolve(rule=AssigneeRule.OWNER, accounts=accounts)[a1.pk] == owner.pk
    managers = assignees_resolve(rule=AssigneeRule.OWNER_MANAGER, accounts=accounts)
    assert managers[a1.pk] == boss.pk
    assert managers[a2.pk] == lonely.pk  # no manager: the owner
    assert managers[orphan.pk] in {owner.pk, lonely.pk}  # no owner: least-loaded CSM


def test_named_user_round_robin_and_least_loaded():
    csms = [UserFactory(role=Role.CSM) for _ in range(3)]
    named = UserFactory(role=Role.MANAGER)
    accounts = [AccountFactory(owner=None) for _ in range(6)]
    assert set(assignees_resolve(rule=AssigneeRule.USER, accounts=accounts, named_user_id=named.pk).values()) == {
        named.pk
    }
    rr = assignees_resolve(rule=AssigneeRule.ROUND_ROBIN, accounts=accounts)
    assert [rr[a.pk] for a in accounts] == [u.pk for u in csms] * 2
    # least loaded: the busiest CSM gets nothing until the others catch up
    for _ in range(3):
        TaskFactory(assignee=csms[0], account__owner=None)
    TaskFactory(assignee=csms[1], account__owner=None)
    ll = assignees_resolve(rule=AssigneeRule.LEAST_LOADED, accounts=accounts[:3])
    assert sorted(ll.values()) == sorted([csms[2].pk, csms[2].pk, csms[1].pk])


def test_round_robin_continues_after_the_last_assignee(make_playbook):
    csms = [UserFactory(role=Role.CSM) for _ in range(3)]
    template = TaskTemplateFactory(assignee_rule=AssigneeRule.ROUND_ROBIN)
    pb = make_playbook("renewal_due", {"days": 90}, actions=[{"type": "task", "template": template.pk}])
    first = renewing(owner=None)
    playbook_evaluate(playbook=pb, as_of=TODAY)
    second = renewing(owner=None)
    playbook_evaluate(playbook=pb, as_of=TODAY)
    assert Task.objects.get(account=first).assignee == csms[0]
    assert Task.objects.get(account=second).assignee == csms[1]


def test_task_rendering_priority_and_due_date(make_playbook):
    template = TaskTemplateFactory(title="Renewal prep for {{ account.name }}", body="{{ reason }}", due_in_days=5)
    account = renewing(name="Globex")
    pb = make_playbook("renewal_due", {"days": 90}, actions=[{"type": "task", "template": template.pk}])
    from core.models import WebhookDelivery, WebhookEndpoint

    WebhookEndpoint.objects.create(url="https://hooks.example.com/x", events=["task.created"], secret="s")
    with mock.patch("core.tasks.webhook_deliver_task.delay"):
        playbook_evaluate(playbook=pb, as_of=TODAY)
    task = Task.objects.get()
    assert task.title == "Renewal prep for Globex"
    assert task.body == task.reason and task.reason.startswith("renews on")
    assert task.due_date == TODAY + timedelta(days=5) and task.priority == template.priority
    assert task.assignee == account.owner
    delivery = WebhookDelivery.objects.get()
    assert delivery.event == "task.created" and delivery.payload["task"]["id"] == task.pk
    assert delivery.payload["task"]["reason"] == task.reason


def test_a_playbooks_tasks_announce_their_assignees_once_per_chunk(make_playbook, django_capture_on_commit_callbacks):
    from playbooks.signals import task_assigned

    template = TaskTemplateFactory()
    renewing(), renewing(), renewing()
    pb = make_playbook("renewal_due", {"days": 90}, actions=[{"type": "task", "template": template.pk}])
    sent = []
    task_assigned.connect(lambda sender, **kw: sent.append(kw), weak=False, dispatch_uid="test.actions")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            playbook_evaluate(playbook=pb, as_of=TODAY)
        with django_capture_on_commit_callbacks(execute=True):
            playbook_evaluate(playbook=pb, as_of=TODAY)  # tasks already open: nothing new to announce
    finally:
        task_assigned.disconnect(dispatch_uid="test.actions")
    assigned = set(Task.objects.filter(assignee__isnull=False).values_list("pk", flat=True))
    assert len(assigned) == 3
    assert len(sent) == 1 and set(sent[0]["task_ids"]) == assigned and sent[0]["actor_id"] is None


# Section: email


def email_playbook(make_playbook, **action):
    template = EmailTemplateFactory()
    return make_playbook(
        "renewal_due", {"days": 90}, actions=[{"type": "email", "template": template.pk, "max_contacts": 2, **action}]
    )


def test_email_renders_per_contact_and_is_sent_once(make_playbook, django_capture_on_commit_callbacks):
    owner = UserFactory(first_name="Carla")
    account = renewing(name="Initech", owner=owner)
    ContactFactory(account=account, name="Peter", email="peter@initech.example")
    pb = email_playbook(make_playbook)
    with django_capture_on_commit_callbacks(execute=True):
        playbook_evaluate(playbook=pb, as_of=TODAY)
    message = EmailMessage.objects.get()
    assert message.status == EmailStatus.SENT
    assert message.subject == "Hello from Initech's team"
    assert message.body.startswith("Hi Peter, Carla here. We noticed: renews on")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["peter@initech.example"]
    # a duplicated Celery task sends nothing again
    assert email_message_send(message_id=message.pk) is False
    assert len(mail.outbox) == 1
    # the send spent the contact's fatigue budget and is on the timeline
    from surveys.fatigue import fatigue_allowed_contact_ids

    assert fatigue_allowed_contact_ids(contact_ids=[message.contact_id]) == set()
    assert Activity.objects.filter(account=account, subject__startswith="Email sent").exists()


def test_email_held_for_approval_then_approved_or_rejected(make_playbook, django_capture_on_commit_callbacks):
    owner = UserFactory(role=Role.CSM)
    account = renewing(owner=owner)
    ContactFactory(account=account)
    ContactFactory(account=account)
    pb = email_playbook(make_playbook, require_approval=True)
    with django_capture_on_commit_callbacks(execute=True):
        playbook_evaluate(playbook=pb, as_of=TODAY)
    held = list(EmailMessage.objects.order_by("id"))
    assert [m.status for m in held] == [EmailStatus.PENDING_APPROVAL] * 2 and mail.outbox == []
    stranger = UserFactory(role=Role.CSM)
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        email_message_approve(message=held[0], user=stranger)
    with django_capture_on_commit_callbacks(execute=True):
        email_message_approve(message=held[0], user=owner)
    email_message_reject(message=held[1], user=owner)
    held[0].refresh_from_db()
    held[1].refresh_from_db()
    assert held[0].status == EmailStatus.SENT and held[1].status == EmailStatus.REJECTED
    assert len(mail.outbox) == 1


def test_email_respects_the_shared_fatigue_budget(make_playbook, django_capture_on_commit_callbacks):
    from surveys.fatigue import fatigue_record

    account = renewing()
    tired = ContactFactory(account=account)
    fresh = ContactFactory(account=account)
    fatigue_record(contact_id=tired.pk, channel="email", kind="asked")
    pb = email_playbook(make_playbook)
    with django_capture_on_commit_callbacks(execute=True):
        playbook_evaluate(playbook=pb, as_of=TODAY)
    statuses = dict(EmailMessage.objects.values_list("contact_id", "status"))
    assert statuses == {tired.pk: EmailStatus.SUPPRESSED, fresh.pk: EmailStatus.SENT}
    assert "1 held by fatigue budget" in playbook_evaluate.__globals__["Enrolment"].objects.get().outcome[0]


# Section: posts, stage, survey, onboarding


def test_webhook_and_slack_posts(make_playbook, django_capture_on_commit_callbacks):
    from core.outbound_http import OutboundResponse

    account = renewing(name="Umbrella")
    pb = make_playbook(
        "renewal_due",
        {"days": 90},
        actions=[
            {"type": "webhook", "url": "https://hooks.example.com/cs"},
            {"type": "slack", "url": "https://hooks.slack.com/services/T/B/X"},
        ],
    )
    with mock.patch("playbooks.services.outbound.outbound_post", return_value=OutboundResponse(200, "ok")) as post:
        with django_capture_on_commit_callbacks(execute=True):
            playbook_evaluate(playbook=pb, as_of=TODAY)
    assert post.call_count == 2
    bodies = {c.args[0]: json.loads(c.kwargs["body"]) for c in post.call_args_list}
    assert bodies["https://hooks.example.com/cs"]["account"]["id"] == account.pk
    assert bodies["https://hooks.example.com/cs"]["reason"].startswith("renews on")
    assert bodies["https://hooks.slack.com/services/T/B/X"]["text"].startswith(f"*{pb.name}* fired for *Umbrella*")
    assert set(OutboundPost.objects.values_list("status", flat=True)) == {PostStatus.SENT}


def test_lifecycle_stage_change_goes_on_the_timeline(make_playbook):
    account = renewing(lifecycle_stage="adoption")
    pb = make_playbook("renewal_due", {"days": 90}, actions=[{"type": "lifecycle", "stage": "renewal"}])
    playbook_evaluate(playbook=pb, as_of=TODAY)
    account.refresh_from_db()
    assert account.lifecycle_stage == "renewal"
    assert Activity.objects.get(account=account).subject == "Lifecycle stage Adoption → Renewal"


def test_send_survey_action(make_playbook):
    from tests.factories.surveys import SurveyFactory

    survey = SurveyFactory()
    account = renewing()
    contact = ContactFactory(account=account)
    pb = make_playbook("renewal_due", {"days": 90}, actions=[{"type": "survey", "survey": survey.pk}])
    with mock.patch("surveys.services.survey_send", return_value={"sent": 1}) as send:
        playbook_evaluate(playbook=pb, as_of=TODAY)
    send.assert_called_once()
    assert send.call_args.kwargs["survey"] == survey and send.call_args.kwargs["contact_ids"] == [contact.pk]


def test_start_checklist_and_success_plan(make_playbook):
    from onboarding.models import AccountChecklist
    from onboarding.services import (
        milestone_create,
        persona_create,
        stage_create,
        success_map_create,
        success_map_draft,
        success_map_publish,
    )
    from tests.factories.onboarding import ChecklistTemplateItemFactory

    item = ChecklistTemplateItemFactory(template__tiers=["standard"])
    account = renewing(tier="standard")
    success_map = success_map_create(persona=persona_create(name="Ops lead"), name="Ops value")
    version = success_map_draft(success_map=success_map)
    stage = stage_create(version=version, name="Live")
    milestone_create(stage=stage, title="First report")
    success_map_publish(version=version)
    pb = make_playbook(
        "renewal_due",
        {"days": 90},
        actions=[
            {"type": "checklist", "template": item.template_id},
            {"type": "success_plan", "success_map": success_map.pk},
        ],
    )
    playbook_evaluate(playbook=pb, as_of=TODAY)
    assert AccountChecklist.objects.filter(account=account, template=item.template).exists()
    assert account.success_plans.count() == 1


def test_invalid_actions_are_refused():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        playbook_save(
            name="Bad",
            trigger_type="renewal_due",
            trigger_params={"days": 9999},
            actions=[{"type": "task", "template": 0}, {"type": "webhook", "url": "ftp://x"}, {"type": "nope"}],
            conditions={"tiers": ["gold"]},
        )
    errors = exc.value.message_dict
    assert any("days" in e for e in errors["trigger_params"])
    assert any("actions[0].template" in e for e in errors["actions"])
    assert any("actions[1].url" in e for e in errors["actions"])
    assert any("actions[2].type" in e for e in errors["actions"])
    assert any("tiers" in e for e in errors["conditions"])
