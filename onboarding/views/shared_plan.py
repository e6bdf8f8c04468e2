"""The customer's shared plan (public, no login): a signed, revocable, expiring token in the
URL; the customer may tick the goals owned by their own contacts (a plain form with the page's
CSRF token, whose cookie the page itself sets)."""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.languages import language_is_bidi, supported_language

from .. import services
from ..models import PlanGoal
from ..selectors import ShareLinkGone, ShareLinkInvalid, share_link_from_token, shared_plan_detail
from .base import as_int

__all__ = ["shared_plan"]


@login_not_required
@require_http_methods(["GET", "POST"])
def shared_plan(request, token: str):
    """Read-only plan for the customer; they may tick goals owned by their own contacts.
    Forged tokens answer 404, revoked or expired links 410, each with a page that says so."""
    language = supported_language(request.GET.get("lang"))
    try:
        link = share_link_from_token(token)
    except ShareLinkInvalid:
        return _customer_error(request, language, "invalid", status=404)
    except ShareLinkGone as gone:
        return _customer_error(request, language, gone.reason, status=410)

    contact_language = link.contact.language if link.contact else None
    language = supported_language(request.GET.get("lang"), contact_language)
    if request.method == "POST":
        try:
            services.customer_goal_toggle(
                link=link, goal_id=as_int(request.POST.get("goal")) or 0, done=request.POST.get("done") == "1"
            )
        except PlanGoal.DoesNotExist as exc:
            raise Http404("No such goal on this plan.") from exc
        suffix = f"?lang={request.GET['lang']}" if request.GET.get("lang") else ""
        return HttpResponseRedirect(f"{request.path}{suffix}")

    services.share_link_viewed(link=link)
    plan = shared_plan_detail(plan_id=link.plan_id)
    with translation.override(language):
        return _shared_plan_page(request, plan, link, language)


def _shared_plan_page(request, plan, link, language: str):
    """The page in the customer's language (rendered under translation.override)."""
    goals = list(plan.goals.all())
    for goal in goals:
        # Admin-written texts in the page's language, else the default (core.content_translations).
        goal.shown_title = goal.title_in(language)
        goal.due_text = _("Due %(date)s") % {"date": _isolate(goal.due_date.isoformat())} if goal.due_date else ""
    stages = list(plan.map_version.stages.all())
    done = sum(1 for g in goals if g.is_done)
    goals_by_stage = {s.pk: [g for g in goals if g.stage_id == s.pk] for s in stages}
    other_goals = [g for g in goals if g.stage_id not in goals_by_stage]
    lo, hi = (
        plan.current_stage.position if plan.current_stage else 0,
        plan.target_stage.position if plan.target_stage else 0,
    )
    expires = _isolate(link.expires_at.date().isoformat())
    context = {
        "plan": plan,
        "link": link,
        "language": language,
        "languages": dict(settings.LANGUAGES),
        "rtl": language_is_bidi(language),
        "heading": _("Success plan for %(account)s") % {"account": plan.account.name},
        "progress_text": _("%(done)s of %(total)s done") % {"done": done, "total": len(goals)},
        "progress": round(100 * done / len(goals)) if goals else 0,
        "stages": [
            {
                "stage": s,
                "name": s.text("name", language),
                "description": s.text("description", language),
                "vehicles": [{"title": v.text("title", language), "url": v.url} for v in s.vehicles.all()],
                "goals": goals_by_stage[s.pk],
                "is_current": s.pk == plan.current_stage_id,
                "is_target": s.pk == plan.target_stage_id,
                "is_past": s.position < lo,
                "in_plan": lo <= s.position <= hi,
            }
            for s in stages
        ],
        "other_goals": other_goals,
        "current_stage_name": plan.current_stage.text("name", language) if plan.current_stage else "",
        "target_stage_name": plan.target_stage.text("name", language) if plan.target_stage else "",
        "expires_text": _("This link is valid until %(date)s.") % {"date": expires},
    }
    return render(request, "onboarding/plan_shared.html", context)


def _isolate(text: str) -> str:
    """Unicode first-strong isolate, so an ISO date keeps its order inside right-to-left text."""
    return f"\u2068{text}\u2069"


def _customer_error(request, language: str, reason: str, *, status: int):
    with translation.override(language):
        title = _("Link not found") if reason == "invalid" else _("This link no longer works")
        body = {
            "invalid": _("This link is not valid. Check that you copied all of it."),
            "revoked": _("Your success manager has withdrawn this link. Ask them for a new one."),
            "expired": _("This link has expired. Ask your success manager for a new one."),
        }[reason]
        context = {"language": language, "rtl": language_is_bidi(language), "title": title, "body": body}
        return render(request, "onboarding/plan_shared_error.html", context, status=status)
