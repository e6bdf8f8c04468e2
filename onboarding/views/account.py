"""The account's success page and its two panels' actions (CSMs): one URL per action, each
answering an htmx request with the changed panel (the same markup as on the account page,
see panels.py) and an `HX-Trigger`, a plain form with a redirect back."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from accounts.access import account_read_check, account_write_check
from accounts.models import Account, Contact
from core.models import User
from core.permissions import RoleRequiredMixin
from core.views import ActionView, htmx_partial

from .. import services
from ..forms import GoalForm, ShareLinkForm
from ..models import AccountChecklistItem, ChecklistTemplate, PlanGoal, PlanShareLink, SuccessPlan
from ..panels import onboarding_context, success_plan_context
from ..selectors import map_stages, plan_stages, published_maps
from .base import as_int, validation_message

__all__ = [
    "AccountSuccessView",
    "ChecklistItemToggleView",
    "ChecklistStartView",
    "GoalCreateView",
    "GoalToggleView",
    "PlanStagesView",
    "PlanStartView",
    "ShareLinkCreateView",
    "ShareLinkRevokeView",
]


def _account(account_id) -> Account:
    return get_object_or_404(Account.objects.select_related("owner"), pk=account_id)


class AccountSuccessView(RoleRequiredMixin, TemplateView):
    """The account's plan and checklist on one page (the same panels as on the account page)."""

    template_name = "onboarding/account_success.html"

    def get_context_data(self, **kwargs):
        account = _account(self.kwargs["account_id"])
        account_read_check(self.request.user, account)
        return super().get_context_data(
            account=account,
            plan_panel=success_plan_context(self.request, account),
            onboarding_panel=onboarding_context(self.request, account),
            **kwargs,
        )


class PanelActionView(ActionView):
    """POST → service (`act(account)`) → the re-rendered panel. A ValidationError is shown in
    the panel, naming the field (a plain form: as a message on the page it goes back to)."""

    panel = "plan"  # or "onboarding"
    panels = {
        "plan": ("onboarding/partials/plan_panel.html", success_plan_context, "success-plan-changed"),
        "onboarding": ("onboarding/partials/checklist_panel.html", onboarding_context, "onboarding-changed"),
    }

    @property
    def template_name(self) -> str:
        return self.panels[self.panel][0]

    @property
    def trigger(self) -> str | None:
        return None if getattr(self, "error", None) else self.panels[self.panel][2]

    def get_object(self):
        account = _account(self.kwargs["account_id"])
        account_write_check(self.request.user, account)  # accounts.access: the account's book only
        return account

    def act(self, account) -> None:
        raise NotImplementedError

    def perform(self, account):
        self.error = None
        try:
            self.act(account)
        except ValidationError as exc:
            self.error = validation_message(exc)
            if not htmx_partial(self.request):
                messages.error(self.request, self.error)
        return {"error": self.error}

    def get_context_data(self, account, **kwargs):
        return {"account": account, "panel": self.panels[self.panel][1](self.request, account), **kwargs}

    def get_success_url(self, account) -> str:
        return reverse("onboarding:account", args=[account.pk])

    def active_plan(self, account) -> SuccessPlan:
        return get_object_or_404(SuccessPlan, account=account, status="active")


# Section: the success plan panel


class PlanStartView(PanelActionView):
    def act(self, account):
        success_map = get_object_or_404(published_maps(), pk=self.request.POST.get("success_map"))
        stages = map_stages(success_map=success_map)
        services.success_plan_start(
            account=account,
            success_map=success_map,
            current_stage=stages.get(as_int(self.request.POST.get("current_stage"))),
            target_stage=stages.get(as_int(self.request.POST.get("target_stage"))),
            owner=self.request.user,
        )


class PlanStagesView(PanelActionView):
    def act(self, account):
        plan = self.active_plan(account)
        stages = plan_stages(plan=plan)
        current = stages.get(as_int(self.request.POST.get("current_stage")))
        target = stages.get(as_int(self.request.POST.get("target_stage")))
        if current is None or target is None:
            raise ValidationError({"stage": _("Choose a current and a target stage of this plan's map.")})
        services.plan_stages_set(plan=plan, current_stage=current, target_stage=target)


class GoalCreateView(PanelActionView):
    def act(self, account):
        plan = self.active_plan(account)
        form = GoalForm(self.request.POST)
        if not form.is_valid():
            raise ValidationError(form.errors)
        data = form.cleaned_data
        kind, _sep, owner_pk = (data["owner"] or "").partition(":")
        services.plan_goal_create(
            plan=plan,
            title=data["title"],
            due_date=data["due_date"],
            owner_user=get_object_or_404(User, pk=owner_pk) if kind == "user" else None,
            owner_contact=get_object_or_404(Contact, pk=owner_pk, account=account) if kind == "contact" else None,
        )


class GoalToggleView(PanelActionView):
    """Tick a goal (`done=1`) or open it again."""

    def act(self, account):
        goal = get_object_or_404(PlanGoal, pk=self.kwargs["pk"], plan__account=account)
        services.plan_goal_toggle(goal=goal, done=self.request.POST.get("done") == "1")


class ShareLinkCreateView(PanelActionView):
    def act(self, account):
        plan = self.active_plan(account)
        form = ShareLinkForm(self.request.POST)
        if not form.is_valid():
            raise ValidationError(form.errors)
        contact = None
        if form.cleaned_data["contact"]:
            contact = get_object_or_404(Contact, pk=form.cleaned_data["contact"], account=account)
        services.share_link_create(
            plan=plan, contact=contact, days=form.cleaned_data["days"] or 30, user=self.request.user
        )


class ShareLinkRevokeView(PanelActionView):
    def act(self, account):
        link = get_object_or_404(PlanShareLink, pk=self.kwargs["pk"], plan__account=account)
        services.share_link_revoke(link=link)


# Section: the onboarding checklist panel


class ChecklistStartView(PanelActionView):
    panel = "onboarding"

    def act(self, account):
        template = None
        if self.request.POST.get("template"):
            template = get_object_or_404(ChecklistTemplate, pk=self.request.POST["template"], is_active=True)
        services.checklist_start(account=account, template=template)


class ChecklistItemToggleView(PanelActionView):
    """Tick a checklist item (`done=1`) or open it again."""

    panel = "onboarding"

    def act(self, account):
        item = get_object_or_404(AccountChecklistItem, pk=self.kwargs["pk"], checklist__account=account)
        services.checklist_item_toggle(item=item, done=self.request.POST.get("done") == "1")
