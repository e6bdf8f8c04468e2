"""The audit log (admins): every recorded change, sign-in and export, filtered, and as CSV."""

from django.utils.translation import gettext as _

from core.audit.filters import AuditFilterSet
from core.audit.models import AuditEvent
from core.choices import Role
from core.csv_export import csv_response
from core.views.toolkit import ObjectListView

__all__ = ["AuditLogView"]

CSV_LIMIT = 100_000


class AuditLogView(ObjectListView):
    view_role = Role.ADMIN
    queryset = AuditEvent.objects.select_related("actor")
    filterset_class = AuditFilterSet
    template_name = "core/audit_list.html"
    partial_name = "results"
    paginate_by = 100
    ordering_options = {"newest": "-at,-id", "oldest": "at,id"}
    default_ordering = "newest"

    def get(self, request, *args, **kwargs):
        if request.GET.get("format") == "csv":
            return self.export()
        return super().get(request, *args, **kwargs)

    def export(self):
        filterset = self.get_filterset(self.get_queryset())
        events = self.apply_ordering(filterset.qs, self.get_ordering())[:CSV_LIMIT]
        headers = [
            _("When (UTC)"),
            _("Who"),
            _("Action"),
            _("Kind of record"),
            _("Record id"),
            _("Record"),
            _("Changes"),
            _("Address"),
            _("Path"),
        ]
        rows = (
            [
                e.at.isoformat(),
                e.actor_label,
                e.action,
                e.object_type,
                e.object_id,
                e.object_repr,
                e.changes or e.extra,
                e.ip_address,
                e.path,
            ]
            for e in events.iterator(chunk_size=2000)
        )
        return csv_response(filename="audit-log.csv", headers=headers, rows=rows)
