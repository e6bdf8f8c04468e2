"""'Email the audience…': a confirm page with who will and will not be asked and why, then a
background send whose progress the page polls (surveys.sending)."""

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from core.permissions import AdminRequiredMixin
from core.views import htmx_partial, partial

from ..choices import SkipReason
from ..fatigue import account_cap, recontact_days
from ..models import Survey, SurveySendJob
from ..preview_count import survey_preview_request
from ..selectors import survey_send_running
from ..sending import BUDGET_NOTE_SHARE, SendInProgress, send_job_create, send_job_resume, survey_budget_note


def reason_help() -> dict[str, str]:
    """What each skip reason means with this installation's settings."""
    cap, cap_days = account_cap()
    return {
        SkipReason.RECENTLY_ASKED: _("asked, answered or e-mailed by any survey or playbook in the last %(days)d days")
        % {"days": recontact_days()},
        SkipReason.ACCOUNT_CAP: _("their account already had %(cap)d contacts asked in the last %(days)d days")
        % {"cap": cap, "days": cap_days},
        SkipReason.NO_EMAIL: _("no e-mail address on the contact"),
        SkipReason.DRIP: _("over the survey's limit of contacts asked per day"),
    }


def reasons_of(skipped: dict) -> list[dict]:
    help_texts = reason_help()
    return [
        {"code": r.value, "label": help_texts[r.value], "count": skipped[r.value]}
        for r in SkipReason
        if skipped.get(r.value)
    ]


def budget_context(audience: int, skipped: dict) -> dict:
    """The note shown when the fatigue budget blocks most of the audience."""
    blocked = skipped.get(SkipReason.RECENTLY_ASKED, 0) + skipped.get(SkipReason.ACCOUNT_CAP, 0)
    share = blocked / audience if audience else 0.0
    cap, cap_days = account_cap()
    return {
        "budget_blocked": blocked,
        "budget_percent": round(100 * share),
        "budget_note": bool(audience) and share > BUDGET_NOTE_SHARE,
        "recontact_days": recontact_days(),
        "account_cap": cap,
        "account_cap_days": cap_days,
    }


class SurveySendView(AdminRequiredMixin, View):
    """GET: the confirm page, at once: the counts when a recent count is known, else "Counting
    the audience… N%" polled every second (htmx: the same URL returns the panel) while a
    background task counts (surveys.preview_count). POST: queue the send and show its progress."""

    def get(self, request, pk: int):
        survey = get_object_or_404(Survey, pk=pk)
        preview = survey_preview_request(survey=survey)
        context = {
            "survey": survey,
            "preview": preview,
            "drip": survey.drip_per_day,
            "running": survey_send_running(survey=survey),
        }
        if preview.done:
            context.update(
                reasons=reasons_of(preview.skipped),
                counted_just_now=(timezone.now() - preview.computed_at).total_seconds() < 60,
                **budget_context(preview.audience, preview.skipped),
            )
        template = "surveys/survey_send_confirm.html"
        return render(request, partial(template, "preview") if htmx_partial(request) else template, context)

    def post(self, request, pk: int):
        survey = get_object_or_404(Survey, pk=pk)
        try:
            job = send_job_create(survey=survey, created_by=request.user)
        except SendInProgress as exc:
            messages.info(request, _("This survey is already being sent: here is its progress."))
            return redirect("surveys:send_job", pk=survey.pk, job_pk=exc.job.pk)
        return redirect("surveys:send_job", pk=survey.pk, job_pk=job.pk)


class SendJobView(AdminRequiredMixin, View):
    """A send's progress: the whole page, or (htmx, polled every second while it runs) the panel."""

    def get(self, request, pk: int, job_pk: int):
        job = get_object_or_404(SurveySendJob.objects.select_related("survey", "created_by"), pk=job_pk, survey_id=pk)
        context = {
            "survey": job.survey,
            "job": job,
            "reasons": reasons_of(job.skipped),
            **budget_context(job.audience, job.skipped),
            "site_url": settings.SITE_URL,
        }
        template = "surveys/survey_send_job.html"
        return render(request, partial(template, "progress") if htmx_partial(request) else template, context)


class SendJobResumeView(AdminRequiredMixin, View):
    """POST: carry on with a send that stopped (mail server unreachable)."""

    def post(self, request, pk: int, job_pk: int):
        job = get_object_or_404(SurveySendJob, pk=job_pk, survey_id=pk)
        try:
            job = send_job_resume(job=job)
        except SendInProgress as exc:
            messages.info(request, _("Another send of this survey is running: here is its progress."))
            job = exc.job
        return redirect("surveys:send_job", pk=pk, job_pk=job.pk)


class SurveyBudgetNoteView(AdminRequiredMixin, View):
    """The survey page's fatigue budget note, loaded after the page (htmx): empty when the
    budget blocks half of the audience or less; while the audience is being counted in the
    background, a placeholder that asks again shortly."""

    def get(self, request, pk: int):
        survey = get_object_or_404(Survey, pk=pk)
        preview = survey_preview_request(survey=survey)
        if not preview.done:
            return render(request, "surveys/partials/budget_note_pending.html", {"survey": survey})
        budget = survey_budget_note(survey=survey, preview=preview)
        if budget is None:
            return HttpResponse("")
        context = {**budget_context(budget.audience, budget.skipped), "budget_audience": budget.audience}
        return render(request, "surveys/partials/budget_note.html", context)
