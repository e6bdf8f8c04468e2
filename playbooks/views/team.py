"""The team page (managers): each member's open, overdue and due-today tasks, the unassigned,
and the team's overdue tasks."""

from __future__ import annotations

from django.utils import timezone
from django.views.generic import TemplateView

from core.permissions import ManagerRequiredMixin

from ..selectors import team_load, team_overdue_tasks, unassigned_task_count

__all__ = ["TeamView"]


class TeamView(ManagerRequiredMixin, TemplateView):
    template_name = "playbooks/task_team.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        members = team_load(user=self.request.user)
        for m in members:
            m.later_count = max(0, m.open_count - m.overdue_count - m.today_count)
        unassigned = unassigned_task_count(today=timezone.now().date())
        context.update(
            members=members,
            overdue=team_overdue_tasks(user=self.request.user),
            unassigned=unassigned,
            totals={
                "open": sum(m.open_count for m in members),
                "overdue": sum(m.overdue_count for m in members),
                "today": sum(m.today_count for m in members),
                "done_7d": sum(m.done_7d for m in members),
            },
            max_open=max([m.open_count for m in members] or [1]) or 1,
            today=timezone.now().date(),
        )
        return context
