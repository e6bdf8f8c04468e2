"""Each kind of notification fires once from the news of the floor below, and never twice."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.choices import ActivityKind, HealthBand, Tier
from accounts.services import activity_create
from core.choices import Role
from health.models import HealthScore
from health.signals import band_changed
from notifications.choices import NotificationKind
from notifications.models import Notification
from playbooks.services import task_create, tasks_bulk
from playbooks.signals import task_assigned
from tests.factories import AccountFactory, TaskFactory, UserFactory

TODAY = timezone.now().date()


def _kinds(user):
    return list(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


# Section: a task assigned


def test_a_task_made_for_someone_else_tells_them_once(csm_user, django_capture_on_commit_callbacks):
    # given
    other = UserFactory(role=Role.CSM)
    account = AccountFactory(owner=csm_user, name="Initech")

    # when
    with django_capture_on_commit_callbacks(execute=True):
        task = task_create(user=csm_user, account=account, title="Call the CFO", due_date=TODAY, assignee=other)
    with django_capture_on_commit_callbacks(execute=True):  # the same news again (a retried signal)
        task_assigned.send(sender=type(task), task_ids=[task.pk], actor_id=csm_user.pk)

    # then
    notification = Notification.objects.get(recipient=other)
    assert notification.kind == NotificationKind.TASK_ASSIGNED
    assert notification.title == "Task assigned: Call the CFO"
    assert "Initech" in notification.body and notification.url == f"/tasks/{task.pk}/"
    assert notification.actor == csm_user and notification.account == account


def test_a_task_made_for_oneself_tells_nobody(csm_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        task_create(user=csm_user, account=AccountFactory(owner=csm_user), title="Mine", due_date=TODAY)
    assert not Notification.objects.exists()


def test_bulk_reassignment_tells_the_new_assignee_once_per_task_in_one_signal(
    csm_user, manager_user, django_capture_on_commit_callbacks
):
    # given
    tasks = TaskFactory.create_batch(3, account=AccountFactory(owner=csm_user), assignee=csm_user)
    already = TaskFactory(account=tasks[0].account, assignee=manager_user)
    sent = []
    task_assigned.connect(lambda sender, **kw: sent.append(kw["task_ids"]), weak=False, dispatch_uid="test.sent")

    # when
    try:
        with django_capture_on_commit_callbacks(execute=True):
            result = tasks_bulk(
                task_ids=[t.pk for t in [*tasks, already]], user=csm_user, action="reassign", assignee=manager_user
            )
    finally:
        task_assigned.disconnect(dispatch_uid="test.sent")

    # then
    assert result["done"] == 4
    assert sent == [[t.pk for t in tasks]]  # the task already theirs is no news
    assert _kinds(manager_user) == [NotificationKind.TASK_ASSIGNED] * 3


# Section: a mention in a note


def test_a_mention_in_a_note_tells_the_named_user_once(csm_user, manager_user, django_capture_on_commit_callbacks):
    account = AccountFactory(owner=csm_user, name="Globex")
    with django_capture_on_commit_callbacks(execute=True):
        activity = activity_create(
            account=account,
            kind=ActivityKind.NOTE,
            subject="Renewal",
            body="@manager can you join? cc @csm and @nobody, mail ops@manager.example",
            author=csm_user,
        )

    assert activity.metadata["mentions"] == [
        {"id": manager_user.pk, "username": "manager"},
        {"id": csm_user.pk, "username": "csm"},
    ]
    notification = Notification.objects.get()  # the author's own mention tells nobody
    assert notification.recipient == manager_user and notification.kind == NotificationKind.MENTION
    assert notification.title == "Carl Success mentioned you on Globex"
    assert notification.body.startswith("@manager can you join?")

    from accounts.signals import note_created

    with django_capture_on_commit_callbacks(execute=True):
        note_created.send(
            sender=type(activity),
            activity_id=activity.pk,
            account_id=account.pk,
            author_id=csm_user.pk,
            mentioned_user_ids=[manager_user.pk],
        )
    assert Notification.objects.count() == 1


def test_a_note_without_mentions_and_a_system_entry_tell_nobody(csm_user, django_capture_on_commit_callbacks):
    account = AccountFactory(owner=csm_user)
    with django_capture_on_commit_callbacks(execute=True):
        activity_create(account=account, kind=ActivityKind.NOTE, body="no one here", author=csm_user)
        activity_create(account=account, kind=ActivityKind.SYSTEM, body="@csm by a robot")
    assert not Notification.objects.exists()


# Section: a key account turned red


def _band(account, old, new, *, day=TODAY, is_override=False):
    band_changed.send(
        sender=HealthScore,
        account_id=account.pk,
        old_band=old,
        new_band=new,
        old_score=62,
        new_score=38,
        day=day,
        is_override=is_override,
    )


def test_a_key_account_turning_red_tells_its_owner_once_a_day(csm_user, django_capture_on_commit_callbacks):
    key = AccountFactory(owner=csm_user, tier=Tier.KEY, name="Key Co")
    big = AccountFactory(owner=csm_user, tier=Tier.STANDARD, mrr=Decimal("9000"))  # 108k ARR: key by revenue
    small = AccountFactory(owner=csm_user, tier=Tier.STANDARD, mrr=Decimal("100"))

    with django_capture_on_commit_callbacks(execute=True):
        _band(key, HealthBand.YELLOW, HealthBand.RED)
        _band(key, HealthBand.YELLOW, HealthBand.RED)  # again the same day
        _band(big, HealthBand.GREEN, HealthBand.RED)
        _band(small, HealthBand.YELLOW, HealthBand.RED)  # not key
        _band(key, HealthBand.GREEN, HealthBand.YELLOW)  # not red
        _band(big, HealthBand.YELLOW, HealthBand.RED, day=TODAY + timedelta(days=1), is_override=True)

    rows = list(Notification.objects.order_by("account_id").values_list("account_id", "kind", "title", "body"))
    assert rows == [
        (key.pk, NotificationKind.KEY_ACCOUNT_RED, "Key Co turned red", "Health 62 → 38"),
        (big.pk, NotificationKind.KEY_ACCOUNT_RED, f"{big.name} turned red", "Health 62 → 38"),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        _band(key, HealthBand.YELLOW, HealthBand.RED, day=TODAY + timedelta(days=3))  # red again days later
    assert Notification.objects.filter(account=key).count() == 2


def test_key_account_settings_decide_what_is_key(csm_user, settings, django_capture_on_commit_callbacks):
    settings.NOTIFICATIONS_KEY_ACCOUNT_TIERS = ["strategic"]
    settings.NOTIFICATIONS_KEY_ACCOUNT_MIN_ARR = 1_000_000
    account = AccountFactory(owner=csm_user, tier=Tier.KEY, mrr=Decimal("9000"))
    with django_capture_on_commit_callbacks(execute=True):
        _band(account, HealthBand.YELLOW, HealthBand.RED)
    assert not Notification.objects.exists()


# Section: a renewal within 30 days


def test_the_renewal_sweep_tells_each_owner_once_per_renewal_date(csm_user, django_capture_on_commit_callbacks):
    from notifications.services import renewals_notify

    soon = AccountFactory(owner=csm_user, name="Soon", renewal_date=TODAY + timedelta(days=12))
    AccountFactory(owner=csm_user, renewal_date=TODAY + timedelta(days=45))
    AccountFactory(owner=None, renewal_date=TODAY + timedelta(days=5))
    AccountFactory(owner=UserFactory(is_active=False), renewal_date=TODAY + timedelta(days=5))

    with django_capture_on_commit_callbacks(execute=True):
        assert len(renewals_notify(today=TODAY)) == 1
        assert renewals_notify(today=TODAY) == []
        assert renewals_notify(today=TODAY + timedelta(days=1)) == []  # the next day's sweep

    notification = Notification.objects.get()
    assert notification.account == soon and notification.recipient == csm_user
    assert notification.title == "Soon renews in 12 days"
    assert notification.key == f"renewal:{soon.pk}:{soon.renewal_date.isoformat()}"

    soon.renewal_date = TODAY + timedelta(days=400)  # renewed: a new date, a new notice when it nears
    soon.save(update_fields=["renewal_date"])
    with django_capture_on_commit_callbacks(execute=True):
        renewals_notify(today=soon.renewal_date - timedelta(days=30))
    assert Notification.objects.filter(account=soon).count() == 2


def test_notifications_are_written_in_the_recipients_language(csm_user, django_capture_on_commit_callbacks):
    sara = UserFactory(role=Role.CSM, language="fa")
    li = UserFactory(role=Role.CSM, language="zh-hans")
    account = AccountFactory(owner=csm_user, name="Initech")
    with django_capture_on_commit_callbacks(execute=True):
        task_create(user=csm_user, account=account, title="QBR", due_date=TODAY, assignee=sara)
        task_create(user=csm_user, account=account, title="QBR", due_date=TODAY, assignee=li)
    assert Notification.objects.get(recipient=sara).title == "کار سپرده‌شده: QBR"
    assert Notification.objects.get(recipient=li).title == "已分配任务：QBR"
