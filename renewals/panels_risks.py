"""Two panels on the account 360 page: "Risks" (live and recently closed risks, "Open a risk")
and "Why revenue was lost" (changes waiting for a reason, the reasons given, and "record a
cancellation or downgrade" on the account's paid subscriptions). Constant queries each."""

from core.choices import Role

from .selectors import account_reason_panel, account_risks


def _can_edit(request) -> bool:
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and user.has_role(Role.CSM))


def risks_panel_context(request, account) -> dict:
    return {"account": account, "can_edit": _can_edit(request), **account_risks(account_id=account.pk)}


def reasons_panel_context(request, account) -> dict | None:
    data = account_reason_panel(account_id=account.pk)
    if not (data["prompts"] or data["reasons"] or data["subscriptions"]):
        return None
    return {"account": account, "can_edit": _can_edit(request), **data}
