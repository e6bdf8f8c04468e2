"""The "Tasks" panel on the account 360 page: the account's open tasks with their reasons."""

from django.utils import timezone

from core.choices import Role

from .selectors import account_open_tasks


def tasks_panel_context(request, account) -> dict:
    """No query beyond the open tasks: the "New task" button shows for those who work tasks."""
    user = getattr(request, "user", None)
    return {
        "tasks": account_open_tasks(account_id=account.pk),
        "today": timezone.now().date(),
        "account": account,
        "can_create": bool(user is not None and user.is_authenticated and user.has_role(Role.CSM)),
    }
