"""The customer's shared plan (public, no login): a signed, revocable, expiring token in the
URL; the customer may tick the goals owned by their own contacts (a plain form with the page's
CSRF token, whose cookie the page itself sets)."""

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from core.languages import language_is_bidi

from .. import services
from ..customer_i18n import LANGUAGE_NAMES, customer_language, strings_for
from ..models import PlanGoal
from ..selectors import ShareLinkGone, ShareLinkInvalid, share_link_from_token, shared_plan_detail
from .base import as_int

__all__ = ["shared_plan"]


@login_not_required
@require_http_methods(["GET", "POST"])
def shared_plan(request, token: str):
    """Read-only plan for the customer; they may tick goals owned by their own contacts.
    Forged tokens answer 404, revoked or expired links 410, each with a page that says so."""
    language = customer_language(request.GET.get("lang"), None)
    try:
        link = share_link_from_token(token)
    except ShareLinkInvalid:
        return _customer_error(request, language, "invalid", status=404)
    except ShareLinkGone as gone:
        return _customer_error(request, language, gone.reason, status=410)

    contact_language = link.contact.language if link.contact else None
    language = customer_language(request.GET.get("lang"), contact_language)
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
    t = strings_for(language)
    goals = list(plan.goals.all())
    for goal in goals:
        goal.due_text = t["due"].format(date=_isolate(goal.due_date.isoformat())) if goal.due_date else ""
    stages = list(plan.map_version.stages.all())
    done = sum(1 for g in goals if g.is_done)
    goals_by_stage = {s.pk: [g for g in goals if g.stage_id == s.pk] for s in stages}
    other_goals = [g for g in goals if g.stage_id not in goals_by_stage]
    lo, hi = (
        plan.current_stage.position if plan.current_stage else 0,
        plan.target_stage.position if plan.target_stage else 0,
    )
    context = {
        "plan": plan,
        "link": link,
        "t": t,
        "language": language,
        "languages": LANGUAGE_NAMES,
        "rtl": language_is_bidi(language),
        "heading": t["for"].format(account=plan.account.name),
        "progress_text": t["progress"].format(done=done, total=len(goals)),
        "progress": round(100 * done / len(goals)) if goals else 0,
        "stages": [
            {
                "stage": s,
                "goals": goals_by_stage[s.pk],
                "is_current": s.pk == plan.current_stage_id,
                "is_target": s.pk == plan.target_stage_id,
                "is_past": s.position < lo,
                "in_plan": lo <= s.position <= hi,
            }
            for s in stages
        ],
        "other_goals": other_goals,
        "expires_text": t["expires"].format(date=_isolate(link.expires_at.date().isoformat())),
    }
    return render(request, "onboarding/plan_shared.html", context)


def _isolate(text: str) -> str:
    """Unicode first-strong isolate, so an ISO date keeps its order inside right-to-left text."""
    return f"\u2068{text}\u2069"


def _customer_error(request, language: str, reason: str, *, status: int):
    t = strings_for(language)
    title = t["invalid_title"] if reason == "invalid" else t["gone_title"]
    body = {"invalid": t["invalid_body"], "revoked": t["gone_revoked"], "expired": t["gone_expired"]}[reason]
    context = {"t": t, "language": language, "rtl": language_is_bidi(language), "title": title, "body": body}
    return render(request, "onboarding/plan_shared_error.html", context, status=status)
