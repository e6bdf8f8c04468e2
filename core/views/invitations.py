"""Invitations: admins invite colleagues (/team/users/new/), resend or revoke a pending one; the
invited person accepts from the link in their mail (/invite/<token>/), signed out."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View

from core.choices import Role
from core.invitations.forms import InvitationAcceptForm, InvitationForm
from core.invitations.models import Invitation
from core.invitations.services import (
    invitation_accept,
    invitation_create,
    invitation_for_token,
    invitation_resend,
    invitation_revoke,
)
from core.views.toolkit import ActionView, ServiceFormView, apply_validation_error

__all__ = ["InvitationAcceptView", "InvitationCreateView", "InvitationResendView", "InvitationRevokeView"]


class InvitationCreateView(ServiceFormView):
    view_role = Role.ADMIN
    edit_role = Role.ADMIN
    form_class = InvitationForm
    template_name = "core/invitation_form.html"

    def perform(self, form):
        data = form.cleaned_data
        return invitation_create(
            email=data["email"],
            role=data["role"],
            first_name=data.get("first_name", ""),
            last_name=data.get("last_name", ""),
            manager=data.get("manager"),
            language=data.get("language") or self.request.user.language,
            invited_by=self.request.user,
        )

    def get_success_message(self, obj) -> str:
        return _("Invitation sent to %(email)s.") % {"email": obj.email}

    def get_success_url(self, obj) -> str:
        return "/team/users/"


class _InvitationAction(ActionView):
    view_role = Role.ADMIN
    edit_role = Role.ADMIN

    def get_object(self):
        return get_object_or_404(Invitation, pk=self.kwargs["pk"])

    def get_success_url(self, obj) -> str:
        return "/team/users/"


class InvitationResendView(_InvitationAction):
    def perform(self, obj):
        invitation_resend(invitation=obj)
        messages.success(self.request, _("A new link went to %(email)s.") % {"email": obj.email})


class InvitationRevokeView(_InvitationAction):
    def perform(self, obj):
        invitation_revoke(invitation=obj)
        messages.success(self.request, _("The invitation to %(email)s no longer works.") % {"email": obj.email})


@method_decorator(login_not_required, name="dispatch")
class InvitationAcceptView(View):
    template_name = "registration/invitation_accept.html"

    def _invitation(self):
        invitation = invitation_for_token(self.kwargs["token"])
        return invitation if invitation is not None and invitation.state == "pending" else None

    def _render(self, request, invitation, form, status=200):
        if invitation is None:
            return render(request, "registration/invitation_invalid.html", status=410)
        return render(request, self.template_name, {"invitation": invitation, "form": form}, status=status)

    def get(self, request, token):
        invitation = self._invitation()
        suggested = invitation.email.split("@", 1)[0] if invitation else ""
        return self._render(request, invitation, InvitationAcceptForm(initial={"username": suggested}))

    def post(self, request, token):
        invitation = self._invitation()
        form = InvitationAcceptForm(request.POST)
        if invitation is None or not form.is_valid():
            return self._render(request, invitation, form, status=400)
        try:
            user = invitation_accept(
                token=token, username=form.cleaned_data["username"], password=form.cleaned_data["password"]
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
            return self._render(request, self._invitation(), form, status=400)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Welcome to Pulse CS, %(name)s.") % {"name": user.get_full_name() or user.username})
        return redirect("/")
