"""Browser pages of the usage floor: the next page of a contact's events on the person page."""

from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import View

from accounts.models import Contact
from accounts.selectors import contact_detail_get
from core.permissions import RoleRequiredMixin

from .contact_panel import contact_events_page, event_cursor_parse


class ContactEventsView(RoleRequiredMixin, View):
    """GET `?before=<ISO time>|<id>`: the next page of rows of the person page's event list."""

    def get(self, request, pk: int):
        try:
            contact = contact_detail_get(pk=pk, user=request.user)
        except Contact.DoesNotExist as exc:
            raise Http404(_("No such contact.")) from exc
        before = event_cursor_parse(request.GET.get("before", ""))
        if before is None:
            context = {"error": _("before must be an event cursor (time|id)"), "contact": contact}
            return render(request, "usage/contact_usage_panel.html#event_rows", context, status=400)
        events, cursor = contact_events_page(contact=contact, before=before)
        return render(
            request,
            "usage/contact_usage_panel.html#event_rows",
            {"events": events, "cursor": cursor, "contact": contact},
        )
