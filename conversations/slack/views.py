"""Slack's two endpoints (slash command, interactivity: signed by Slack, no login, no CSRF), and
the "Slack and Teams" page: each user links their Slack account and picks what they get there;
admins set the app up and add Teams channels (one action per URL, each calling a service)."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView, View

from core.choices import Role
from core.permissions import AdminRequiredMixin, RoleRequiredMixin
from core.views import apply_validation_error
from notifications.channels import channel_kinds_for

from ..models import SlackUserLink, TeamsWebhook
from .client import slack_workspace
from .commands import pulse_command
from .forms import SlackChoicesForm, SlackSettingsForm, TeamsWebhookForm
from .interactivity import slack_block_action
from .services import (
    slack_settings_save,
    slack_user_channels_set,
    slack_user_link,
    slack_user_unlink,
    teams_webhook_create,
    teams_webhook_delete,
)
from .verify import slack_request_refusal

# Section: Slack's endpoints


@csrf_exempt
@login_not_required
@require_POST
def slack_command(request):
    refusal = slack_request_refusal(request)
    if refusal is not None:
        return refusal
    return JsonResponse(pulse_command(slack_user_id=request.POST.get("user_id", ""), text=request.POST.get("text", "")))


@csrf_exempt
@login_not_required
@require_POST
def slack_interactivity(request):
    refusal = slack_request_refusal(request)
    if refusal is not None:
        return refusal
    try:
        payload = json.loads(request.POST.get("payload", ""))
    except ValueError:
        return JsonResponse({"detail": _("The payload field must be JSON.")}, status=400)
    if not isinstance(payload, dict):
        return JsonResponse({"detail": _("The payload field must be a JSON object.")}, status=400)
    slack_block_action(payload=payload)
    return HttpResponse(status=200)  # Slack wants a 200 within 3 s; the answer goes to response_url


# Section: the settings page


class SlackPageView(RoleRequiredMixin, TemplateView):
    """Everyone links themselves (read-only users too: they get notifications); the app's
    settings and Teams channels are the admins' (AdminRequiredMixin on those views)."""

    template_name = "conversations/slack_settings.html"
    view_role = edit_role = Role.READONLY

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        workspace = slack_workspace()
        chosen = channel_kinds_for(user_ids=[user.pk], channel="slack")[user.pk]
        context.update(
            workspace=workspace,
            link=SlackUserLink.objects.filter(user=user).first(),
            choices_form=kwargs.get("choices_form") or SlackChoicesForm(initial={"kinds": sorted(chosen)}),
            is_admin=user.has_role(Role.ADMIN),
        )
        if context["is_admin"]:
            context.update(
                settings_form=kwargs.get("settings_form")
                or SlackSettingsForm(
                    initial={
                        "default_channel": workspace.default_channel if workspace else "",
                        "api_url": workspace.api_url if workspace else "",
                    }
                ),
                teams_form=kwargs.get("teams_form") or TeamsWebhookForm(),
                teams_webhooks=list(TeamsWebhook.objects.all()),
                endpoints={
                    "command": self.request.build_absolute_uri(reverse("conversations:slack_command")),
                    "interactivity": self.request.build_absolute_uri(reverse("conversations:slack_interactivity")),
                },
            )
        return context

    def invalid(self, **forms):
        return self.render_to_response(self.get_context_data(**forms), status=400)


class SlackSettingsSaveView(AdminRequiredMixin, SlackPageView):
    def post(self, request):
        form = SlackSettingsForm(request.POST)
        if form.is_valid():
            try:
                slack_settings_save(**form.cleaned_data)
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, _("Slack settings saved."))
                return redirect("conversations:slack")
        return self.invalid(settings_form=form)


class SlackLinkView(SlackPageView):
    def post(self, request):
        form = SlackChoicesForm(request.POST)
        try:
            slack_user_link(user=request.user)
        except ValidationError as exc:
            apply_validation_error(form, exc)
            return self.invalid(choices_form=form)
        messages.success(request, _("Your Slack account is linked."))
        return redirect("conversations:slack")


class SlackUnlinkView(RoleRequiredMixin, View):
    view_role = edit_role = Role.READONLY

    def post(self, request):
        slack_user_unlink(user=request.user)
        messages.success(request, _("Your Slack account is no longer linked."))
        return redirect("conversations:slack")


class SlackChoicesView(SlackPageView):
    def post(self, request):
        form = SlackChoicesForm(request.POST)
        if form.is_valid():
            try:
                slack_user_channels_set(user=request.user, kinds=form.cleaned_data["kinds"])
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, _("Your Slack choices are saved."))
                return redirect("conversations:slack")
        return self.invalid(choices_form=form)


class TeamsWebhookCreateView(AdminRequiredMixin, SlackPageView):
    def post(self, request):
        form = TeamsWebhookForm(request.POST)
        if form.is_valid():
            try:
                teams_webhook_create(**form.cleaned_data)
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, _("Teams channel added."))
                return redirect("conversations:slack")
        return self.invalid(teams_form=form)


class TeamsWebhookDeleteView(AdminRequiredMixin, View):
    def post(self, request, pk: int):
        teams_webhook_delete(webhook_id=pk)
        messages.success(request, _("Teams channel removed."))
        return redirect("conversations:slack")
