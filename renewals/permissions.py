"""Who may change an opportunity: read-only users nothing; CSMs their own book (the
opportunities they own or whose account they own); managers and admins every one. API keys
with the write scope act for the integration (no user)."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from core.choices import Role


def opportunity_can_edit(user, opportunity) -> bool:
    if user is None:
        return True
    if not getattr(user, "is_authenticated", False) or not user.has_role(Role.CSM):
        return False
    if user.has_role(Role.MANAGER):
        return True
    if opportunity is None or opportunity.pk is None:
        return True
    return user.pk in (opportunity.owner_id, opportunity.account.owner_id)


def opportunity_check_edit(user, opportunity) -> None:
    if not opportunity_can_edit(user, opportunity):
        raise PermissionDenied(_("You can change only the opportunities of your own book."))


def account_can_add_opportunity(user, account) -> bool:
    if user is None:
        return True
    if not getattr(user, "is_authenticated", False) or not user.has_role(Role.CSM):
        return False
    return user.has_role(Role.MANAGER) or account.owner_id in (None, user.pk)
