"""Compose an e-mail from the account page or a person page (`?contact=<pk>` ticks them), and the
public tracking endpoints (the pixel and the click redirect, signed)."""

from __future__ import annotations

import base64

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View

from accounts.access import account_write_check
from accounts.models import Account
from core.permissions import RoleRequiredMixin
from core.views import apply_validation_error

from ..compose import click_record, email_compose_send, open_record
from ..compose.forms import ComposeForm
from ..compose.tracking import click_load, open_load
from ..models import InboundSettings
from ..selectors import compose_contacts, compose_templates

TEMPLATE = "conversations/compose.html"
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


class ComposeView(RoleRequiredMixin, View):
    def _load(self, pk: int) -> None:
        """The account (after the role check: a read-only user's POST is a 403, whatever the id)."""
        self.account = get_object_or_404(Account.objects.visible_to(self.request.user), pk=pk)

    def _contact_id(self) -> int | None:
        raw = self.request.GET.get("contact") or self.request.POST.get("contact") or ""
        return int(raw) if raw.isdigit() else None

    def _back(self) -> str:
        contact = self._contact_id()
        if contact and self.account.contacts.filter(pk=contact).exists():
            return reverse("accounts:contact_detail", args=[contact])
        return reverse("accounts:detail", args=[self.account.pk])

    def _render(self, form, status=200):
        context = {
            "account": self.account,
            "form": form,
            "templates": compose_templates(),
            "contact_id": self._contact_id(),
            "back": self._back(),
        }
        return render(self.request, TEMPLATE, context, status=status)

    def get(self, request, pk: int):
        self._load(pk)
        account_write_check(request.user, self.account)
        initial: dict[str, object] = {"tracking": InboundSettings.load().tracking_default}
        contact = self._contact_id()
        if contact:
            initial["recipients"] = [contact]
        template_id = request.GET.get("template", "")
        template = next((t for t in compose_templates() if str(t.pk) == template_id), None)
        if template is not None:
            initial.update(subject=template.subject, body=template.body)
        return self._render(ComposeForm(initial=initial, contacts=compose_contacts(account=self.account)))

    def post(self, request, pk: int):
        self._load(pk)
        form = ComposeForm(request.POST, contacts=compose_contacts(account=self.account))
        if not form.is_valid():
            return self._render(form, status=400)
        data = form.cleaned_data
        try:
            result = email_compose_send(
                user=request.user,
                account=self.account,
                contact_ids=data["recipients"],
                subject=data["subject"],
                body=data["body"],
                marketing=data["marketing"],
                tracking=data["tracking"],
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
            return self._render(form, status=400)
        names = {c.pk: c.name or c.email for c in compose_contacts(account=self.account)}
        problems = [
            _("%(contact)s: %(reason)s") % {"contact": names.get(c, c), "reason": r}
            for c, r in [*result.skipped.items(), *result.failed.items()]
        ]
        if not result.sent:
            form.add_error(None, _("Nothing was sent.") + " " + "; ".join(problems))
            return self._render(form, status=400)
        messages.success(
            request, _("E-mail sent to %(n)d contacts and logged on the timeline.") % {"n": len(result.sent)}
        )
        if problems:
            messages.warning(request, _("Not sent: %(list)s") % {"list": "; ".join(problems)})
        return redirect(self._back())


@method_decorator(login_not_required, name="dispatch")
class TrackOpenView(View):
    http_method_names = ["get"]

    def get(self, request, token: str):
        try:
            open_record(message_id=open_load(token))
        except signing.BadSignature as exc:
            raise Http404 from exc
        response = HttpResponse(PIXEL, content_type="image/gif")
        response["Cache-Control"] = "no-store, private"
        return response


@method_decorator(login_not_required, name="dispatch")
class TrackClickView(View):
    http_method_names = ["get"]

    def get(self, request, token: str):
        try:
            message_id, url = click_load(token)
        except signing.BadSignature as exc:
            raise Http404 from exc
        click_record(message_id=message_id)
        return HttpResponseRedirect(url)
