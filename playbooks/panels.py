"""The "Tasks" panel on the account 360 page: the account's open tasks with their reasons."""

from django.utils import timezone

from .selectors import account_open_tasks


def tasks_panel_context(request, account) -> dict:
    return {"tasks": account_open_tasks(account_id=account.pk), "today": timezone.now().date()}
