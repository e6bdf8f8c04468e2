"""Connector pages (admins only): the connections, a new one (token or OAuth), a connection's
settings and runs, the field mapping of each object with a preview of 10 records, and a run's
log (counts, progress while it runs, failures with their retry)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from core.permissions import AdminRequiredMixin
from core.views import ServiceFormView, htmx_partial, partial

from .choices import AuthKind, Direction, RunStatus
from .forms import ConnectionForm, ConnectionSettingsForm
from .models import Connection, SyncRun
from .oauth import oauth_authorize_url, oauth_finish
from .registry import AuthFailed, VendorError, vendor_get
from .selectors import connection_list, mapping_preview
from .services import connection_create, connection_update, mappings_set, sync_failures_retry, sync_start
from .targets.base import target_fields, target_label

__all__ = [
    "ConnectionCreateView",
    "ConnectionDetailView",
    "ConnectionListView",
    "MappingView",
    "OAuthCallbackView",
    "OAuthStartView",
    "RunDetailView",
    "RunRetryView",
    "SyncStartView",
]

SESSION_KEY = "connectors_oauth"
INTERNAL_OPTIONS = {"owners"}  # kept by the sync (owner links), not for people to edit


class ConnectionListView(AdminRequiredMixin, TemplateView):
    template_name = "connectors/connection_list.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(connections=connection_list(), **kwargs)


class ConnectionCreateView(AdminRequiredMixin, ServiceFormView):
    form_class = ConnectionForm
    template_name = "connectors/connection_form.html"

    def perform(self, form):
        data = form.cleaned_data
        oauth = data["auth"] == AuthKind.OAUTH
        credentials = {"client_id": data["client_id"], "client_secret": data["client_secret"]} if oauth else None
        options = {"authorize_url": data["authorize_url"]} if data.get("authorize_url") else {}
        return connection_create(
            kind=data["kind"],
            name=data["name"],
            base_url=data.get("base_url") or "",
            token="" if oauth else data["token"],
            credentials=credentials,
            options=options,
            auth=data["auth"],
        )

    def get_success_url(self, obj) -> str:
        if obj.auth == AuthKind.OAUTH:
            return reverse("connectors:oauth_start", args=[obj.pk])
        return reverse("connectors:detail", args=[obj.pk])


def _redirect_uri(request) -> str:
    return request.build_absolute_uri(reverse("connectors:oauth_callback"))


class OAuthStartView(AdminRequiredMixin, View):
    """Send the admin to the vendor's consent page (state, and PKCE where the vendor has it)."""

    def get(self, request, pk):
        connection = get_object_or_404(Connection, pk=pk)
        try:
            url, kept = oauth_authorize_url(connection=connection, redirect_uri=_redirect_uri(request))
        except VendorError as exc:
            messages.error(request, str(exc))
            return redirect("connectors:detail", pk=pk)
        request.session[SESSION_KEY] = kept
        return redirect(url)


class OAuthCallbackView(AdminRequiredMixin, View):
    """The vendor sends the admin back here with a code (or an error)."""

    def get(self, request):
        kept = request.session.pop(SESSION_KEY, None) or {}
        connection = Connection.objects.filter(pk=kept.get("connection")).first()
        if connection is None:
            return render(
                request,
                "connectors/oauth_error.html",
                {"reason": _("No authorisation was started from this browser; start again.")},
                status=400,
            )
        if request.GET.get("error"):
            reason = request.GET.get("error_description") or request.GET["error"]
            messages.error(request, _("The vendor did not authorise: %(reason)s") % {"reason": reason})
            return redirect("connectors:detail", pk=connection.pk)
        try:
            oauth_finish(
                connection=connection,
                code=request.GET.get("code", ""),
                state=request.GET.get("state", ""),
                kept=kept,
                redirect_uri=_redirect_uri(request),
            )
        except (AuthFailed, VendorError) as exc:
            messages.error(request, _("Not connected: %(reason)s") % {"reason": exc})
            return redirect("connectors:detail", pk=connection.pk)
        messages.success(request, _("Connected to %(vendor)s.") % {"vendor": vendor_get(connection.kind).label})
        return redirect("connectors:detail", pk=connection.pk)


class ConnectionDetailView(AdminRequiredMixin, ServiceFormView):
    """The connection's status, objects and their mappings, settings, and its recent runs."""

    form_class = ConnectionSettingsForm
    template_name = "connectors/connection_detail.html"
    success_message = ""

    def get_object(self):
        return get_object_or_404(Connection, pk=self.kwargs["pk"])

    def get_form_kwargs(self):
        return {
            "initial": {
                "interval_minutes": self.object.interval_minutes,
                "deletions": self.object.deletions,
                "options": _json({k: v for k, v in self.object.options.items() if k not in INTERNAL_OPTIONS}),
            }
        }

    def get_context_data(self, **kwargs):
        vendor = vendor_get(self.object.kind)
        mappings = list(self.object.mappings.all())
        objects = [
            {
                "spec": spec,
                "target": target_label(spec.target),
                "count": sum(1 for m in mappings if m.object_key == spec.key),
            }
            for spec in vendor.objects
        ]
        return super().get_context_data(
            connection=self.object,
            vendor=vendor,
            objects=objects,
            runs=self.object.runs.all()[:20],
            **kwargs,
        )

    def perform(self, form):
        data = dict(form.cleaned_data)
        kept = {k: v for k, v in self.object.options.items() if k in INTERNAL_OPTIONS}
        data["options"] = {**{k: v for k, v in data["options"].items() if k not in INTERNAL_OPTIONS}, **kept}
        return connection_update(connection=self.object, **data)

    def get_success_message(self, obj):
        return _("Settings saved.")

    def get_success_url(self, obj):
        return reverse("connectors:detail", args=[obj.pk])


def _json(value) -> str:
    import json

    return json.dumps(value, indent=2, ensure_ascii=False) if value else ""


class SyncStartView(AdminRequiredMixin, View):
    """Start a run now: `mode` is sync (what changed), full, or dry (fetch and compare only)."""

    def post(self, request, pk):
        connection = get_object_or_404(Connection, pk=pk)
        mode = request.POST.get("mode", "sync")
        if mode not in ("sync", "full", "dry"):
            return HttpResponse(_("Unknown mode."), status=400, content_type="text/plain; charset=utf-8")
        run = sync_start(connection=connection, full=mode == "full", dry_run=mode == "dry")
        return redirect("connectors:run", pk=run.pk)


class RunDetailView(AdminRequiredMixin, TemplateView):
    """A run's counts, progress bar (the fragment polls itself while the run is queued or
    running), failures and log."""

    template_name = "connectors/run_detail.html"

    def get_template_names(self):
        if htmx_partial(self.request):
            return [partial(self.template_name, "status")]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        run = get_object_or_404(SyncRun.objects.select_related("connection"), pk=self.kwargs["pk"])
        return super().get_context_data(
            run=run,
            connection=run.connection,
            live=run.status in (RunStatus.QUEUED, RunStatus.RUNNING),
            failures=run.failures.all()[:200],
            open_failures=run.failures.filter(resolved_at__isnull=True).count(),
            **kwargs,
        )


class RunRetryView(AdminRequiredMixin, View):
    def post(self, request, pk):
        run = get_object_or_404(SyncRun, pk=pk)
        try:
            retry = sync_failures_retry(run=run)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("connectors:run", pk=run.pk)
        return redirect("connectors:run", pk=retry.pk)


def _rows_from(post) -> list[tuple[str, str, str]]:
    remotes, locals_, directions = (post.getlist(n) for n in ("remote_field", "local_field", "direction"))
    return [
        (r.strip(), loc.strip(), d)
        for r, loc, d in zip(remotes, locals_, directions, strict=False)
        if r.strip() or loc.strip()
    ]


class MappingView(AdminRequiredMixin, View):
    """One object's field mapping: rows of (their field, our field, direction). "Preview"
    (htmx) shows 10 records through the rows as they stand; "Save" replaces the mapping."""

    template_name = "connectors/mapping_form.html"

    def setup_object(self, pk, object_key):
        self.connection = get_object_or_404(Connection, pk=pk)
        self.vendor_def = vendor_get(self.connection.kind)
        try:
            self.spec = self.vendor_def.object(object_key)
        except KeyError:
            raise Http404 from None

    def context(self, rows, errors=None, **kwargs):
        fields = target_fields(self.spec.target)
        errors = errors or {}
        table = [
            {
                "remote": remote,
                "local": local,
                "direction": direction,
                "error": " ".join(errors.get(f"{part}_{i}", "") for part in ("remote", "local", "direction")).strip(),
            }
            for i, (remote, local, direction) in enumerate([*rows, ("", "", Direction.PULL)])
        ]
        try:
            remote = self.vendor_def.client_factory(self.connection).remote_fields(self.spec.key)
        except VendorError:
            remote = []
        return {
            "connection": self.connection,
            "vendor": self.vendor_def,
            "spec": self.spec,
            "rows": table,
            "errors": errors,
            "local_fields": fields.values(),
            "remote_fields": remote,
            "directions": Direction.choices,
            **kwargs,
        }

    def get(self, request, pk, object_key):
        self.setup_object(pk, object_key)
        rows = [
            (m.remote_field, m.local_field, m.direction)
            for m in self.connection.mappings.all()
            if m.object_key == object_key
        ]
        return render(request, self.template_name, self.context(rows))

    def post(self, request, pk, object_key):
        self.setup_object(pk, object_key)
        rows = _rows_from(request.POST)
        if request.POST.get("action") == "preview":
            preview = mapping_preview(connection=self.connection, object_key=object_key, rows=rows)
            return render(request, partial(self.template_name, "preview"), {"preview": preview})
        try:
            mappings_set(connection=self.connection, object_key=object_key, rows=rows)
        except ValidationError as exc:
            errors = {k: " ".join(v) for k, v in exc.message_dict.items()}
            return render(request, self.template_name, self.context(rows, errors), status=400)
        messages.success(request, _("Mapping saved."))
        return redirect("connectors:detail", pk=self.connection.pk)
