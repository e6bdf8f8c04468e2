"""The "Tasks" panel on the account 360 page: the account's open tasks with their reasons."""

from django.utils import timezone

from accounts.access import account_can_write

from .selectors import account_open_tasks


def tasks_panel_context(request, account) -> dict:
    """No query beyond the open tasks (the write check is cached on the account by the page):
    the "New task" button shows for those who may write the account (accounts.access)."""
    user = getattr(request, "user", None)
    return {
        "tasks": account_open_tasks(account_id=account.pk),
        "today": timezone.now().date(),
        "account": account,
        "can_create": bool(user is not None and user.is_authenticated and account_can_write(user, account)),
    }
