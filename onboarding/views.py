"""Browser pages: map and checklist editors (admins), the board and TTFV (everyone), the
account's success page and panel actions (CSMs), and the customer's shared plan (public,
protected by a signed, revocable, expiring token)."""

from datetime import date, timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django.views.generic import TemplateView

from accounts.choices import Tier
from accounts.models import Account, Contact
from core.choices import Role
from core.languages import language_is_bidi, supported_language
from core.models import User
from core.permissions import AdminRequiredMixin, RoleRequiredMixin
from core.views import htmx_partial, safe_next

from . import services
from .choices import MapVersionStatus, MilestoneKind
from .forms import (
    ChecklistItemForm,
    ChecklistTemplateForm,
    GoalForm,
    MilestoneForm,
    OnboardingSettingsForm,
    PersonaForm,
    ShareLinkForm,
    StageForm,
    SuccessMapForm,
    VehicleForm,
)
from .metrics import ttfv
from .models import (
    AccountChecklistItem,
    ChecklistTemplate,
    ChecklistTemplateItem,
    Milestone,
    OnboardingSettings,
    PlanGoal,
    PlanShareLink,
    Stage,
    SuccessMap,
    SuccessPlan,
    SuccessVehicle,
)
from .panels import onboarding_context, success_plan_context
from .selectors import (
    ShareLinkGone,
    ShareLinkInvalid,
    board_plans,
    map_version_detail,
    published_maps,
    share_link_from_token,
    success_map_list,
)


def _form_errors(form) -> str:
    return "; ".join(f"{field}: {' '.join(errors)}" for field, errors in form.errors.items())


def _validation_message(exc: ValidationError) -> str:
    if hasattr(exc, "message_dict"):
        return "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
    return " ".join(exc.messages)


class ActionView:
    """POST handlers picked by the form's `action` field; each returns None to redirect back
    to the page. A ValidationError becomes an error message naming the field."""

    def post(self, request, *args, **kwargs):
        handler = getattr(self, f"do_{request.POST.get('action', '')}", None)
        if handler is None:
            messages.error(request, "Unknown action.")
            return HttpResponseRedirect(request.path)
        try:
            response = handler(request, *args, **kwargs)
        except ValidationError as exc:
            messages.error(request, _validation_message(exc))
            response = None
        return response or HttpResponseRedirect(request.get_full_path())


# Section: success maps (admin)


class MapListView(AdminRequiredMixin, ActionView, TemplateView):
    template_name = "onboarding/successmap_list.html"

    def get_context_data(self, **kwargs):
        from django.db.models import Count

        from accounts.models import Persona

        return super().get_context_data(
            maps=success_map_list(),
            personas=Persona.objects.annotate(map_count=Count("success_maps")),
            persona_form=PersonaForm(),
            map_form=SuccessMapForm(),
            **kwargs,
        )

    def do_persona(self, request):
        form = PersonaForm(request.POST)
        if not form.is_valid():
            messages.error(request, _form_errors(form))
            return
        persona = services.persona_create(**form.cleaned_data)
        messages.success(request, f"Persona {persona} added.")
        return

    def do_map(self, request):
        form = SuccessMapForm(request.POST)
        if not form.is_valid():
            messages.error(request, _form_errors(form))
            return None
        success_map = services.success_map_create(**form.cleaned_data, user=request.user)
        return redirect("onboarding:map_edit", pk=success_map.pk)


class MapEditView(AdminRequiredMixin, ActionView, TemplateView):
    template_name = "onboarding/successmap_edit.html"

    def get_map(self) -> SuccessMap:
        return get_object_or_404(SuccessMap.objects.select_related("persona"), pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        success_map = self.get_map()
        versions = list(success_map.versions.order_by("-number"))
        wanted = self.request.GET.get("version")
        chosen = next((v for v in versions if str(v.number) == wanted), None) or (versions[0] if versions else None)
        version = map_version_detail(version_id=chosen.pk) if chosen else None
        return super().get_context_data(
            success_map=success_map,
            versions=versions,
            version=version,
            has_draft=any(v.status == MapVersionStatus.DRAFT for v in versions),
            stage_form=StageForm(),
            milestone_form=MilestoneForm(),
            vehicle_form=VehicleForm(),
            milestone_kinds=MilestoneKind,
            **kwargs,
        )

    def _stage(self, request) -> Stage:
        return get_object_or_404(Stage, pk=request.POST.get("stage"), version__success_map_id=self.kwargs["pk"])

    def _back(self, version_number: int):
        return HttpResponseRedirect(
            f"{reverse('onboarding:map_edit', args=[self.kwargs['pk']])}?version={version_number}"
        )

    def do_draft(self, request, pk):
        draft = services.success_map_draft(success_map=self.get_map(), user=request.user)
        messages.success(
            request, f"Editing version {draft.number} (a draft). Plans stay on the versions they started on."
        )
        return self._back(draft.number)

    def do_publish(self, request, pk):
        draft = self.get_map().versions.filter(status=MapVersionStatus.DRAFT).first()
        if draft is None:
            messages.error(request, "There is no draft to publish.")
            return None
        services.success_map_publish(version=draft, note=request.POST.get("note", ""))
        messages.success(request, f"Version {draft.number} published: new plans start on it.")
        return self._back(draft.number)

    def do_add_stage(self, request, pk):
        form = StageForm(request.POST)
        draft = get_object_or_404(self.get_map().versions, status=MapVersionStatus.DRAFT)
        if not form.is_valid():
            messages.error(request, _form_errors(form))
            return self._back(draft.number)
        services.stage_create(version=draft, **form.cleaned_data)
        return self._back(draft.number)

    def do_edit_stage(self, request, pk):
        stage = self._stage(request)
        form = StageForm(request.POST)
        if not form.is_valid():
            messages.error(request, _form_errors(form))
            return self._back(stage.version.number)
        services.stage_update(stage=stage, **form.cleaned_data)
        return self._back(stage.version.number)

    def do_delete_stage(self, request, pk):
        stage = self._stage(request)
        services.stage_delete(stage=stage)
        return self._back(stage.version.number)

    def do_move_stage(self, request, pk):
        stage = self._stage(request)
        services.stage_move(stage=stage, offset=-1 if request.POST.get("direction") == "up" else 1)
        return self._back(stage.version.number)

    def do_add_milestone(self, request, pk):
        stage = self._stage(request)
        form = MilestoneForm(request.POST)
        if not form.is_valid():
            messages.error(request, _form_errors(form))
            return self._back(stage.version.number)
        data = form.cleaned_data
        services.milestone_create(
            stage=stage,
            title=data["title"],
            kind=data["kind"],
            event_name=data["event_name"],
            metric_key=data["metric_key"],
            metric_op=data["metric_op"] or "gte",
            metric_threshold=data["metric_threshold"],
        )
        return self._back(stage.version.number)

    def do_delete_milestone(self, request, pk):
        milestone = get_object_or_404(
            Milestone.objects.select_related("stage__version"),
            pk=request.POST.get("milestone"),
            stage__version__success_map_id=pk,
        )
        services.milestone_delete(milestone=milestone)
        return self._back(milestone.stage.version.number)

    def do_add_vehicle(self, request, pk):
        stage = self._stage(request)
        form = VehicleForm(request.POST)
        if not form.is_valid():
            messages.error(request, _form_errors(form))
            return self._back(stage.version.number)
        services.vehicle_create(stage=stage, **form.cleaned_data)
        return self._back(stage.version.number)

    def do_delete_vehicle(self, request, pk):
        vehicle = get_object_or_404(
            SuccessVehicle.objects.select_related("stage__version"),
            pk=request.POST.get("vehicle"),
            stage__version__success_map_id=pk,
        )
        services.vehicle_delete(vehicle=vehicle)
        return self._back(vehicle.stage.version.number)


# Section: checklist templates (admin)


class ChecklistListView(AdminRequiredMixin, ActionView, TemplateView):
    template_name = "onboarding/checklisttemplate_list.html"

    def get_context_data(self, **kwargs):
        from django.db.models import Count, Q

        settings_obj = OnboardingSettings.load()
        templates = ChecklistTemplate.objects.annotate(
            item_count=Count("items", distinct=True),
            active_count=Count("checklists", filter=Q(checklists__status="active"), distinct=True),
        )
        return super().get_context_data(
            templates=templates,
            template_form=ChecklistTemplateForm(initial={"is_active": True}),
            settings_form=OnboardingSettingsForm(
                initial={
                    "value_event": settings_obj.value_event,
                    "stalled_days": settings_obj.stalled_days,
                    "stuck_days": settings_obj.stuck_days,
                }
            ),
            tier_labels=dict(Tier.choices),
            **kwargs,
        )

    def do_create(self, request):
        form = ChecklistTemplateForm(request.POST)
        if not form.is_valid():
            messages.error(request, _form_errors(form))
            return None
        data = form.cleaned_data
        template = services.checklist_template_create(
            name=data["name"], touch_model=data["touch_model"], tiers=data["tiers"], value_event=data["value_event"]
        )
        return redirect("onboarding:checklist_edit", pk=template.pk)

    def do_settings(self, request):
        form = OnboardingSettingsForm(request.POST)
        if not form.is_valid():
            messages.error(request, _form_errors(form))
            return
        services.onboarding_settings_update(**form.cleaned_data)
        messages.success(request, "Settings saved.")
        return


class ChecklistEditView(AdminRequiredMixin, ActionView, TemplateView):
    template_name = "onboarding/checklisttemplate_edit.html"

    def get_template(self) -> ChecklistTemplate:
        return get_object_or_404(ChecklistTemplate, pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        template = self.get_template()
        return super().get_context_data(
            template=template,
            items=list(template.items.all()),
            template_form=ChecklistTemplateForm(
                initial={
                    "name": template.name,
                    "touch_model": template.touch_model,
                    "tiers": template.tiers,
                    "value_event": template.value_event,
                    "is_active": template.is_active,
                }
            ),
            item_form=ChecklistItemForm(),
            **kwargs,
        )

    def do_update(self, request, pk):
        form = ChecklistTemplateForm(request.POST)
        if not form.is_valid():
            messages.error(request, _form_errors(form))
            return
        services.checklist_template_update(template=self.get_template(), **form.cleaned_data)
        messages.success(request, "Template saved.")
        return

    def do_add_item(self, request, pk):
        form = ChecklistItemForm(request.POST)
        if not form.is_valid():
            messages.error(request, _form_errors(form))
            return
        services.checklist_template_item_create(template=self.get_template(), **form.cleaned_data)
        return

    def do_delete_item(self, request, pk):
        item = get_object_or_404(ChecklistTemplateItem, pk=request.POST.get("item"), template_id=pk)
        services.checklist_template_item_delete(item=item)
        return


# Section: board and TTFV


class BoardView(RoleRequiredMixin, TemplateView):
    """A map's stages as columns, the accounts on each (current stage, with the target), the
    stuck ones (no stage progress for the team's `stuck_days`) highlighted. Filters by htmx."""

    template_name = "onboarding/board.html"
    partial_template_name = "onboarding/partials/board_columns.html"

    def get_template_names(self):
        return [self.partial_template_name if htmx_partial(self.request) else self.template_name]

    def get_context_data(self, **kwargs):
        maps = list(published_maps())
        params = self.request.GET
        success_map = next((m for m in maps if str(m.pk) == params.get("map")), None) or (maps[0] if maps else None)
        owner_id = params.get("owner") if (params.get("owner") or "").isdigit() else None
        tier, segment = params.get("tier", ""), params.get("segment", "")
        stuck_days = OnboardingSettings.load().stuck_days
        columns, plans_count, stuck_count = [], 0, 0
        if success_map is not None:
            version = success_map.versions.filter(status=MapVersionStatus.PUBLISHED).order_by("-number").first()
            stages = list(version.stages.all())
            by_key = {s.key: {"stage": s, "plans": [], "targets": 0} for s in stages}
            cutoff = timezone.now() - timedelta(days=stuck_days)
            for plan in board_plans(success_map=success_map, owner_id=owner_id, tier=tier, segment=segment):
                plan.is_stuck = plan.stage_changed_at < cutoff
                plan.days_in_stage = (timezone.now() - plan.stage_changed_at).days
                plans_count += 1
                stuck_count += plan.is_stuck
                column = by_key.get(plan.current_stage.key) if plan.current_stage else None
                if column is None:  # stage removed in later versions: keep it visible in the first column
                    column = by_key[stages[0].key]
                column["plans"].append(plan)
                if plan.target_stage and plan.target_stage.key in by_key:
                    by_key[plan.target_stage.key]["targets"] += 1
            columns = list(by_key.values())
        return super().get_context_data(
            maps=maps,
            success_map=success_map,
            columns=columns,
            plans_count=plans_count,
            stuck_count=stuck_count,
            stuck_days=stuck_days,
            csms=User.objects.filter(is_active=True, role__in=[Role.CSM, Role.MANAGER]),
            tiers=Tier.choices,
            segments=Account.objects.exclude(segment="")
            .order_by("segment")
            .values_list("segment", flat=True)
            .distinct(),
            filters={"owner": owner_id or "", "tier": tier, "segment": segment},
            **kwargs,
        )


class TTFVView(RoleRequiredMixin, TemplateView):
    template_name = "onboarding/ttfv.html"

    def get_context_data(self, **kwargs):
        start = _parse_date(self.request.GET.get("start"))
        end = _parse_date(self.request.GET.get("end"))
        if "start" not in self.request.GET and "end" not in self.request.GET:
            # Default: contracts started in the last 12 months (older ones predate most usage history).
            start = timezone.now().date() - timedelta(days=365)
        report = ttfv(start=start, end=end)
        tier_labels = dict(Tier.choices)
        recent = sorted(report.accounts, key=lambda r: r.contract_start, reverse=True)[:25]
        return super().get_context_data(
            report=report,
            start=start,
            end=end,
            recent=recent,
            by_tier=[(tier_labels.get(k, k), g) for k, g in report.by_tier.items()],
            cohort_labels=list(report.by_cohort.keys()),
            cohort_medians=[g.median_days for g in report.by_cohort.values()],
            **kwargs,
        )


def _parse_date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


# Section: the account's success page and panel actions (CSMs)


class AccountSuccessView(RoleRequiredMixin, TemplateView):
    """The account's plan and checklist on one page (the same panels as on the account page).
    POSTs change one thing and answer with the changed panel (htmx) or a redirect."""

    template_name = "onboarding/account_success.html"

    def get_account(self) -> Account:
        return get_object_or_404(Account.objects.select_related("owner"), pk=self.kwargs["account_id"])

    def get_context_data(self, **kwargs):
        account = self.get_account()
        return super().get_context_data(
            account=account,
            plan_panel=success_plan_context(self.request, account),
            onboarding_panel=onboarding_context(self.request, account),
            **kwargs,
        )

    def post(self, request, account_id):
        account = self.get_account()
        action = request.POST.get("action", "")
        handler = getattr(self, f"do_{action}", None)
        if handler is None:
            raise Http404("Unknown action.")
        error = None
        try:
            panel = handler(request, account)
        except ValidationError as exc:
            error = _validation_message(exc)
            panel = "plan" if action.startswith(("plan", "goal", "link")) else "onboarding"
        if htmx_partial(request):
            if panel == "plan":
                context = {"account": account, "panel": success_plan_context(request, account), "error": error}
                return render(request, "onboarding/partials/plan_panel.html", context)
            context = {"account": account, "panel": onboarding_context(request, account), "error": error}
            return render(request, "onboarding/partials/checklist_panel.html", context)
        if error:
            messages.error(request, error)
        return HttpResponseRedirect(safe_next(request, reverse("onboarding:account", args=[account.pk])))

    def _plan(self, account) -> SuccessPlan:
        return get_object_or_404(SuccessPlan, account=account, status="active")

    def do_plan_start(self, request, account):
        success_map = get_object_or_404(published_maps(), pk=request.POST.get("success_map"))
        stages = {s.pk: s for s in Stage.objects.filter(version__success_map=success_map)}
        current = stages.get(_int(request.POST.get("current_stage")))
        target = stages.get(_int(request.POST.get("target_stage")))
        services.success_plan_start(
            account=account, success_map=success_map, current_stage=current, target_stage=target, owner=request.user
        )
        return "plan"

    def do_plan_stages(self, request, account):
        plan = self._plan(account)
        stages = {s.pk: s for s in plan.map_version.stages.all()}
        current, target = (
            stages.get(_int(request.POST.get("current_stage"))),
            stages.get(_int(request.POST.get("target_stage"))),
        )
        if current is None or target is None:
            raise ValidationError({"stage": "Choose a current and a target stage of this plan's map."})
        services.plan_stages_set(plan=plan, current_stage=current, target_stage=target)
        return "plan"

    def do_goal_add(self, request, account):
        plan = self._plan(account)
        form = GoalForm(request.POST)
        if not form.is_valid():
            raise ValidationError(form.errors)
        data = form.cleaned_data
        kind, _, owner_pk = (data["owner"] or "").partition(":")
        owner_user = get_object_or_404(User, pk=owner_pk) if kind == "user" else None
        owner_contact = get_object_or_404(Contact, pk=owner_pk, account=account) if kind == "contact" else None
        services.plan_goal_create(
            plan=plan,
            title=data["title"],
            due_date=data["due_date"],
            owner_user=owner_user,
            owner_contact=owner_contact,
        )
        return "plan"

    def do_goal_toggle(self, request, account):
        goal = get_object_or_404(PlanGoal, pk=request.POST.get("goal"), plan__account=account)
        services.plan_goal_toggle(goal=goal, done=request.POST.get("done") == "1")
        return "plan"

    def do_link_create(self, request, account):
        plan = self._plan(account)
        form = ShareLinkForm(request.POST)
        if not form.is_valid():
            raise ValidationError(form.errors)
        contact = None
        if form.cleaned_data["contact"]:
            contact = get_object_or_404(Contact, pk=form.cleaned_data["contact"], account=account)
        services.share_link_create(plan=plan, contact=contact, days=form.cleaned_data["days"] or 30, user=request.user)
        return "plan"

    def do_link_revoke(self, request, account):
        link = get_object_or_404(PlanShareLink, pk=request.POST.get("link"), plan__account=account)
        services.share_link_revoke(link=link)
        return "plan"

    def do_checklist_start(self, request, account):
        template = None
        if request.POST.get("template"):
            template = get_object_or_404(ChecklistTemplate, pk=request.POST["template"], is_active=True)
        services.checklist_start(account=account, template=template)
        return "onboarding"

    def do_item_toggle(self, request, account):
        item = get_object_or_404(AccountChecklistItem, pk=request.POST.get("item"), checklist__account=account)
        services.checklist_item_toggle(item=item, done=request.POST.get("done") == "1")
        return "onboarding"


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# Section: the customer's shared plan (public)


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
                link=link, goal_id=_int(request.POST.get("goal")) or 0, done=request.POST.get("done") == "1"
            )
        except PlanGoal.DoesNotExist as exc:
            raise Http404("No such goal on this plan.") from exc
        suffix = f"?lang={request.GET['lang']}" if request.GET.get("lang") else ""
        return HttpResponseRedirect(f"{request.path}{suffix}")

    PlanShareLink.objects.filter(pk=link.pk).update(last_viewed_at=timezone.now())
    plan = (
        SuccessPlan.objects.select_related("account", "current_stage", "target_stage", "owner")
        .prefetch_related(
            Prefetch("goals", queryset=PlanGoal.objects.select_related("owner_contact", "owner_user", "milestone")),
            "map_version__stages__vehicles",
        )
        .get(pk=link.plan_id)
    )
    with translation.override(language):
        return _shared_plan_page(request, plan, link, language)


def _shared_plan_page(request, plan, link, language: str):
    goals = list(plan.goals.all())
    for goal in goals:
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
                "goals": goals_by_stage[s.pk],
                "is_current": s.pk == plan.current_stage_id,
                "is_target": s.pk == plan.target_stage_id,
                "is_past": s.position < lo,
                "in_plan": lo <= s.position <= hi,
            }
            for s in stages
        ],
        "other_goals": other_goals,
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
