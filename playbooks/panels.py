"""The "Tasks" panel on the account 360 page: the account's open tasks with their reasons."""

from django.utils import timezone

from accounts.access import account_can_write

from .selectors import account_open_tasks, contact_tasks


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


def contact_tasks_panel_context(request, contact) -> dict | None:
    """The person page's "Tasks about them": one query; hidden for a contact without an account."""
    if contact.account_id is None:
        return None
    user = getattr(request, "user", None)
    return {
        "tasks": contact_tasks(contact=contact),
        "today": timezone.now().date(),
        "contact": contact,
        "can_create": bool(user is not None and user.is_authenticated and account_can_write(user, contact.account)),
    }
