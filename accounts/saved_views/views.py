"""Browser pages of saved views: the builder (new / edit, rows added and retyped by htmx, a
live count), delete, the portfolio tabs' counts (loaded after the page) and the CSV export."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from core.choices import Role
from core.csv_export import csv_response
from core.permissions import RoleRequiredMixin
from core.views import ActionView, with_trigger

from ..custom_fields import custom_field_definitions, custom_field_display
from .forms import builder_rows, definition_from_post, filter_groups, row_for, row_id, rows_with_errors
from .models import SavedView
from .query import (
    saved_view_accounts,
    saved_view_count,
    saved_view_definition_clean,
    saved_view_get,
    saved_views_visible,
)
from .services import saved_view_can_edit, saved_view_create, saved_view_delete, saved_view_update

__all__ = [
    "SavedViewBuilderView",
    "SavedViewCountView",
    "SavedViewCountsView",
    "SavedViewDeleteView",
    "SavedViewExportView",
    "SavedViewRowView",
]

TEMPLATE = "accounts/saved_view_builder.html"
EXPORT_LIMIT = 100_000


def _view_or_404(request, pk) -> SavedView:
    try:
        return saved_view_get(user=request.user, pk=pk)
    except SavedView.DoesNotExist as exc:
        raise Http404(_("No such view.")) from exc


class SavedViewBuilderView(RoleRequiredMixin, View):
    """New view (no pk) or edit one: GET shows the builder, POST saves it (errors on the rows, 400)."""

    view_role = Role.READONLY
    edit_role = Role.READONLY  # private views are anyone's own; sharing is checked by the service

    def _context(self, view, *, name, shared, match, groups, errors=()):
        return {
            "view": view,
            "name": name,
            "shared": shared,
            "match": match,
            "groups": groups,
            "filter_groups": filter_groups(),
            "errors": list(errors),
            "can_share": self.request.user.has_role(Role.CSM),
            "next_g": max((g["g"] for g in groups), default=-1) + 1,
        }

    def get(self, request, pk=None):
        view = _view_or_404(request, pk) if pk else None
        if view is not None and not saved_view_can_edit(user=request.user, view=view):
            raise PermissionDenied(_("Only the owner (or a manager, for a shared view) can change this view."))
        first = {"g": 0, "match": "all", "rows": [row_for(group=0, rid=row_id(), field_key="tier", op="in")]}
        if view is None:
            context = self._context(None, name="", shared=False, match="all", groups=[first])
        else:
            stored = view.definition.get("groups", [])
            groups = [
                {"g": g, "match": stored[g].get("match", "all"), "rows": rows}
                for g, rows in enumerate(builder_rows(view.definition))
            ]
            context = self._context(
                view,
                name=view.name,
                shared=view.shared,
                match=view.definition.get("match", "all"),
                groups=groups or [first],
            )
        return render(request, TEMPLATE, context)

    def post(self, request, pk=None):
        view = _view_or_404(request, pk) if pk else None
        definition, rows = definition_from_post(request.POST)
        name, shared = request.POST.get("name", ""), request.POST.get("shared") == "on"
        try:
            if view is None:
                view = saved_view_create(user=request.user, name=name, definition=definition, shared=shared)
            else:
                view = saved_view_update(user=request.user, view=view, name=name, definition=definition, shared=shared)
        except ValidationError as exc:
            errors = rows_with_errors(rows, exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages})
            name_errors = (
                [e for e in errors if e in exc.message_dict.get("name", [])] if hasattr(exc, "error_dict") else []
            )
            by_group: dict[int, list] = {}
            for row in rows:
                by_group.setdefault(row.group, []).append(row)
            groups = [
                {"g": g, "match": request.POST.get(f"g{g}-match", "all"), "rows": by_group[g]} for g in sorted(by_group)
            ]
            context = self._context(
                view, name=name, shared=shared, match=definition["match"], groups=groups, errors=errors
            )
            context["name_errors"] = name_errors
            return render(request, TEMPLATE, context, status=400)
        messages.success(request, _("View “%(name)s” saved.") % {"name": view.name})
        return redirect(f"{reverse('accounts:portfolio')}?view={view.pk}")


class SavedViewRowView(RoleRequiredMixin, View):
    """GET (htmx): one condition row, for "Add condition" or after its field changed."""

    view_role = Role.READONLY

    def get(self, request):
        try:
            group = max(0, min(int(request.GET.get("g", "0")), 19))
        except ValueError:
            group = 0
        rid = request.GET.get("rid", "")
        rid = rid if rid.isalnum() and len(rid) <= 12 else row_id()
        prefix = f"g{group}-{rid}"
        row = row_for(
            group=group,
            rid=rid,
            field_key=request.GET.get(f"{prefix}-field", "tier"),
            op=request.GET.get(f"{prefix}-op", ""),
        )
        if row.view_filter is None:
            row = row_for(group=group, rid=rid, field_key="tier")
        if request.GET.get("new_group"):
            return render(
                request,
                f"{TEMPLATE}#group",
                {
                    "group": {"g": group, "rows": [row], "match": "all"},
                    "next_g": group + 1,
                    "filter_groups": filter_groups(),
                },
            )
        response = render(request, f"{TEMPLATE}#row", {"row": row, "filter_groups": filter_groups()})
        return with_trigger(response, "rows-changed")


class SavedViewCountView(RoleRequiredMixin, View):
    """POST (htmx, the builder's form): how many accounts the conditions select, live."""

    edit_role = Role.READONLY

    def post(self, request):
        definition, _rows = definition_from_post(request.POST)
        try:
            cleaned = saved_view_definition_clean(definition, user=request.user)
        except ValidationError:
            return render(request, f"{TEMPLATE}#count", {"count": None})
        count = saved_view_accounts(definition=cleaned, user=request.user).count()
        return render(request, f"{TEMPLATE}#count", {"count": count})


class SavedViewCountsView(RoleRequiredMixin, View):
    """GET (htmx, after the portfolio loads): each tab's count, swapped in out of band."""

    def get(self, request):
        views = list(saved_views_visible(user=request.user))
        counts = {view.pk: saved_view_count(view=view, user=request.user) for view in views}
        return render(request, "accounts/partials/view_tabs.html#counts", {"counts": counts})


class SavedViewDeleteView(ActionView):
    edit_role = Role.READONLY

    def get_object(self):
        return _view_or_404(self.request, self.kwargs["pk"])

    def perform(self, obj):
        saved_view_delete(user=self.request.user, view=obj)

    def get_success_url(self, obj) -> str:
        return reverse("accounts:portfolio")

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        return redirect("accounts:portfolio") if response.status_code < 400 else response


class SavedViewExportView(RoleRequiredMixin, View):
    """GET: the view's accounts as CSV (core.csv_export), custom fields as columns."""

    def get(self, request, pk):
        view = _view_or_404(request, pk)
        fields = custom_field_definitions(entity="account")
        accounts = (
            saved_view_accounts(definition=view.definition, user=request.user)
            .select_related("owner")
            .order_by("name", "id")[:EXPORT_LIMIT]
        )
        headers = [
            _("External id"),
            _("Name"),
            _("Owner"),
            _("Tier"),
            _("Segment"),
            _("Stage"),
            _("ARR"),
            _("Renewal date"),
            _("Health score"),
            _("Health band"),
            _("Last touch"),
            *[f.label for f in fields],
        ]

        def rows():
            for a in accounts.iterator(chunk_size=2000):
                yield [
                    a.external_id,
                    a.name,
                    a.owner.username if a.owner else "",
                    a.tier,
                    a.segment,
                    a.lifecycle_stage,
                    a.arr,
                    a.renewal_date.isoformat() if a.renewal_date else "",
                    a.health_score,
                    a.health_band,
                    a.last_touch_at.date().isoformat() if a.last_touch_at else "",
                    *[custom_field_display(f, (a.custom_fields or {}).get(f.key)) for f in fields],
                ]

        slug = "".join(c if c.isalnum() else "-" for c in view.name.lower()).strip("-") or "view"
        return csv_response(filename=f"{slug}.csv", headers=headers, rows=rows())
