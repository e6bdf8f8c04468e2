"""The survey report's themes card on its own: GET answers the card (the page polls it every
second while a recompute runs), POST starts a recompute in the background (managers and admins)
and answers the card with its progress. Without htmx, POST goes back to the report."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from core.choices import Role
from core.permissions import RoleRequiredMixin, require_role
from core.views import htmx_partial, partial

from ..selectors import report_themes
from ..services import themes_recompute_queue
from ..theme_runs import ThemeRun, themes_run_state

REPORT_TEMPLATE = "surveys/survey_report.html"


def themes_context(request, run: ThemeRun | None = None) -> dict:
    """What the themes card shows; shared with the report page."""
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("theme", None)
    run = run or themes_run_state()
    return {
        "themes": report_themes(),
        "theme_run": run,
        "theme_running": run is not None and not run.finished,
        "can_recompute": request.user.has_role(Role.MANAGER),
        "querystring": query.urlencode(),
    }


class SurveyThemesView(RoleRequiredMixin, View):
    def get(self, request):
        return render(request, partial(REPORT_TEMPLATE, "themes"), themes_context(request))

    def post(self, request):
        require_role(request.user, Role.MANAGER)
        run = themes_recompute_queue()
        if htmx_partial(request):
            return render(request, partial(REPORT_TEMPLATE, "themes"), themes_context(request, run))
        messages.success(request, _("Theme tags are being recomputed in the background."))
        query = request.GET.urlencode()
        return redirect(reverse("surveys:report") + (f"?{query}" if query else ""))
