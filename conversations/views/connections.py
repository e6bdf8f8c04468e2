"""The "Connected accounts" page: each user connects their own Google or Microsoft 365 mailbox
and calendar (OAuth, with PKCE and a one-time state kept in their session) or a CalDAV
calendar, syncs now, or disconnects (the grant is revoked where the provider allows)."""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from core.choices import Role
from core.views import ServiceFormView

from ..calendars.selectors import user_connections
from ..connections import caldav_connect, connection_set_syncs
from ..forms import CalDAVForm
from ..models import ConnectedAccount, ConnectionStatus, Provider
from ..oauth import OAuthError, authorization_url, connection_disconnect, oauth_complete, pkce_pair, providers_available
from ..tasks import connection_sync_task

SESSION_KEY = "conversations_oauth"
MAX_PENDING = 5  # consent screens open at once per session


def _page_context(request, **extra) -> dict:
    return {
        "connections": user_connections(user=request.user),
        "providers": [(p, Provider(p).label) for p in providers_available()],
        "caldav_form": extra.pop("caldav_form", None) or CalDAVForm(),
        **extra,
    }


class ConnectedAccountsView(LoginRequiredMixin, View):
    template_name = "conversations/connected_accounts.html"

    def get(self, request):
        return render(request, self.template_name, _page_context(request))


class OAuthStartView(LoginRequiredMixin, View):
    """POST: remember a fresh state and PKCE verifier in the session, send the browser to consent."""

    def post(self, request, provider: str):
        if provider not in providers_available():
            raise Http404
        state = secrets.token_urlsafe(32)
        verifier, challenge = pkce_pair()
        pending = dict(list(request.session.get(SESSION_KEY, {}).items())[-(MAX_PENDING - 1) :])
        pending[state] = {"provider": provider, "verifier": verifier}
        request.session[SESSION_KEY] = pending
        redirect_uri = request.build_absolute_uri(reverse("conversations:oauth_callback"))
        return redirect(
            authorization_url(provider=provider, redirect_uri=redirect_uri, state=state, code_challenge=challenge)
        )


class OAuthCallbackView(LoginRequiredMixin, View):
    """The provider sends the browser back with `code` and `state` (or `error`)."""

    def get(self, request):
        pending = request.session.get(SESSION_KEY, {})
        state = request.GET.get("state", "")
        grant = pending.pop(state, None) if state else None
        request.session[SESSION_KEY] = pending
        if grant is None:
            messages.error(request, _("That sign-in link is stale or was not started here; connect again."))
            return redirect("conversations:connected")
        if request.GET.get("error"):
            messages.error(
                request,
                _("The provider did not grant access (%(error)s).") % {"error": request.GET["error"][:100]},
            )
            return redirect("conversations:connected")
        try:
            connection = oauth_complete(
                user=request.user,
                provider=grant["provider"],
                code=request.GET.get("code", ""),
                code_verifier=grant["verifier"],
                redirect_uri=request.build_absolute_uri(reverse("conversations:oauth_callback")),
            )
        except OAuthError as exc:
            messages.error(request, exc.message)
            return redirect("conversations:connected")
        messages.success(request, _("Connected %(email)s. The first sync has started.") % {"email": connection.email})
        connection_sync_task.delay(connection.pk)
        return redirect("conversations:connected")


class CalDAVConnectView(LoginRequiredMixin, ServiceFormView):
    edit_role = Role.READONLY  # one's own calendar, like the OAuth connections: every role
    form_class = CalDAVForm
    template_name = "conversations/connected_accounts.html"

    def get_context_data(self, **kwargs):
        form = kwargs.pop("form")
        return _page_context(self.request, caldav_form=form, caldav_open=True)

    def perform(self, form):
        return caldav_connect(user=self.request.user, **form.cleaned_data)

    def get_success_url(self, obj) -> str:
        connection_sync_task.delay(obj.pk)
        return reverse("conversations:connected")

    def get_success_message(self, obj) -> str:
        return _("Connected the calendar of %(user)s.") % {"user": obj.email}


class _OwnConnection(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def connection(self, request, pk: int) -> ConnectedAccount:
        return get_object_or_404(ConnectedAccount, pk=pk, user=request.user)


class ConnectionSyncView(_OwnConnection):
    def post(self, request, pk: int):
        connection = self.connection(request, pk)
        if connection.status != ConnectionStatus.ACTIVE:
            messages.error(request, _("Connect this account again before syncing it."))
        else:
            connection_sync_task.delay(connection.pk)
            messages.success(request, _("Sync started for %(email)s.") % {"email": connection.email})
        return redirect("conversations:connected")


class ConnectionMailToggleView(_OwnConnection):
    """Mail sync on / off (the calendar is its own URL)."""

    def post(self, request, pk: int):
        connection = self.connection(request, pk)
        try:
            connection_set_syncs(connection=connection, mail=not connection.mail_enabled)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("conversations:connected")


class ConnectionCalendarToggleView(_OwnConnection):
    def post(self, request, pk: int):
        connection = self.connection(request, pk)
        connection_set_syncs(connection=connection, calendar=not connection.calendar_enabled)
        return redirect("conversations:connected")


class ConnectionDisconnectView(_OwnConnection):
    def post(self, request, pk: int):
        connection = self.connection(request, pk)
        revoked = connection_disconnect(connection=connection)
        if revoked or connection.provider == Provider.CALDAV:
            messages.success(request, _("Disconnected %(email)s.") % {"email": connection.email})
        else:
            messages.success(
                request,
                _(
                    "Disconnected %(email)s: its tokens are deleted here. The provider keeps the app's consent until "
                    "you remove it in that account's security settings."
                )
                % {"email": connection.email},
            )
        return redirect("conversations:connected")
