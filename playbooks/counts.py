"""Task counts that follow task writes without a reload: the sidebar's task badge, the inbox's
"N open · N overdue · N due today" and each group's count (docs/playbooks.md, "Counts after an
action").

A view that changes tasks answers its htmx request through `tasks_changed()`: the counts go
out-of-band in the same response (one aggregate query, the badge reusing it when the page is
the user's own unfiltered inbox) and the response carries `HX-Trigger: tasks-changed` with
`{"counted": true}`. A response that only says `HX-Trigger: tasks-changed` (no counts in it)
makes the page's listener (templates/base.html) fetch them from `playbooks:task_counts`: one
more request, so views in this app use `tasks_changed()` instead.
"""

from __future__ import annotations

import json

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.text import slugify

from core.choices import Role

from .selectors import inbox_counts, nav_open_task_count

__all__ = ["TASKS_CHANGED", "nav_badge_id", "task_counts_html", "tasks_changed"]

TASKS_CHANGED = "tasks-changed"


def nav_badge_id() -> str:
    """The sidebar badge's element id, as core.templatetags.chrome.sidebar_nav spells it (the menu
    item's URL, slugified)."""
    return f"nav-badge-{slugify(reverse('playbooks:inbox'))}"


def task_counts_html(
    request, *, assignee_id: int | None, priority: int | None = None, q: str = "", with_groups: bool = True
) -> str:
    """The out-of-band fragments: the user's task badge, and the summary and group counts of the
    inbox the page shows (whose, and its filters). Elements a page does not have are ignored."""
    user = request.user
    counts = inbox_counts(assignee_id=assignee_id, priority=priority, q=q)
    own_unfiltered = assignee_id == user.pk and not priority and not q
    if not user.has_role(Role.CSM):
        badge = None
    elif own_unfiltered:
        badge = counts["overdue"] + counts["today"] + counts["upcoming"]  # the badge's own definition
    else:
        badge = nav_open_task_count(request)
    return render_to_string(
        "playbooks/partials/task_counts_oob.html",
        {
            "badge": badge,
            "badge_id": nav_badge_id(),
            "counts": counts,
            "open_count": counts["overdue"] + counts["today"] + counts["upcoming"],
            "with_groups": with_groups,
        },
        request=request,
    )


def tasks_changed(
    request,
    response: HttpResponse,
    *,
    assignee_id: int | None,
    priority: int | None = None,
    q: str = "",
    with_groups: bool = True,
) -> HttpResponse:
    """Add the fresh counts to an htmx response after a task write, and say tasks changed."""
    response.content += task_counts_html(
        request, assignee_id=assignee_id, priority=priority, q=q, with_groups=with_groups
    ).encode()
    response["HX-Trigger"] = json.dumps({TASKS_CHANGED: {"counted": True}})
    return response
