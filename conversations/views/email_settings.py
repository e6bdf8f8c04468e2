"""The inbound e-mail settings page (admins): the workspace's address and token (rotate), what is
kept and ignored, and the IMAP mailboxes polled."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from core.permissions import AdminRequiredMixin
from core.views import apply_validation_error

from ..email.config import imap_mailbox_create, imap_mailbox_delete, inbound_settings_update, inbound_token_rotate
from ..email.forms import ImapMailboxForm, InboundSettingsForm
from ..models import ImapMailbox, InboundSettings
from ..tasks import imap_poll_task

TEMPLATE = "conversations/email_settings.html"


def _context(request, *, form=None, imap_form=None) -> dict:
    config = InboundSettings.load()
    if form is None:
        form = InboundSettingsForm(
            initial={
                "keep_body": config.keep_body,
                "tracking_default": config.tracking_default,
                "team_domains": "\n".join(config.team_domains),
                "excluded_domains": "\n".join(config.excluded_domains),
            }
        )
    endpoint = request.build_absolute_uri(reverse("conversations:inbound_email", args=[config.token]))
    return {
        "config": config,
        "form": form,
        "imap_form": imap_form or ImapMailboxForm(),
        "mailboxes": ImapMailbox.objects.all(),
        "endpoint": endpoint,
        "providers": [
            ("SendGrid Inbound Parse", endpoint + "sendgrid/"),
            ("Mailgun", endpoint + "mailgun/mime"),
            ("Postmark", endpoint + "postmark/"),
        ],
    }


class EmailSettingsView(AdminRequiredMixin, View):
    def get(self, request):
        return render(request, TEMPLATE, _context(request))

    def post(self, request):
        form = InboundSettingsForm(request.POST)
        if form.is_valid():
            try:
                inbound_settings_update(**form.cleaned_data)
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, _("Inbound e-mail settings saved."))
                return redirect("conversations:email_settings")
        return render(request, TEMPLATE, _context(request, form=form), status=400)


class TokenRotateView(AdminRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request):
        inbound_token_rotate()
        messages.success(request, _("A new address and token: the old ones no longer work. Update your forwarding."))
        return redirect("conversations:email_settings")


class ImapMailboxCreateView(AdminRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request):
        form = ImapMailboxForm(request.POST)
        if form.is_valid():
            try:
                imap_mailbox_create(**form.cleaned_data)
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, _("Mailbox added: it is polled every five minutes."))
                return redirect("conversations:email_settings")
        return render(request, TEMPLATE, _context(request, imap_form=form), status=400)


class ImapMailboxDeleteView(AdminRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk: int):
        imap_mailbox_delete(mailbox=get_object_or_404(ImapMailbox, pk=pk))
        messages.success(request, _("Mailbox removed."))
        return redirect("conversations:email_settings")


class ImapMailboxPollView(AdminRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk: int):
        mailbox = get_object_or_404(ImapMailbox, pk=pk)
        imap_poll_task.delay(mailbox.pk)
        messages.success(request, _("Polling %(name)s now.") % {"name": mailbox.name})
        return redirect("conversations:email_settings")
