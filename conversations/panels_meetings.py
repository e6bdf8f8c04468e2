"""The account page's "Upcoming meetings" panel with the next meeting's prep card, and the CSM
home's card of the user's own next meetings (each prep card loaded when opened)."""

from __future__ import annotations

from .calendars.selectors import account_has_upcoming_meetings, account_upcoming_meetings, user_upcoming_meetings
from .prep import meeting_prep


def meetings_panel_context(request, account) -> dict | None:
    """Hidden when nobody on the team has a meeting with the account coming up."""
    if not account_has_upcoming_meetings(account_id=account.pk):
        return None
    meetings = account_upcoming_meetings(account_id=account.pk)
    if not meetings:
        return None
    return {"account": account, "meetings": meetings, "meeting": meetings[0], "prep": meeting_prep(account=account)}


def home_meetings_context(request) -> dict | None:
    """Hidden for a user with no upcoming customer meeting in a connected calendar."""
    meetings = user_upcoming_meetings(user=request.user)
    if not meetings:
        return None
    return {"meetings": meetings}
