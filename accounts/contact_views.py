"""The person page (contact 360): who they are, their tickets, the timeline entries with them,
and the panels the floors above register for a contact (`accounts.panels.register_contact_panel`:
usage events and features, survey answers, tasks about them, plan goals they own).

GET with `before` (htmx) returns the next page of timeline entries; the panels page their own
lists through their own URLs."""

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from core.permissions import RoleRequiredMixin
from core.views import htmx_partial

from .access import account_can_write
from .editing import contact_field_rows
from .models import Contact
from .panels import contact_panels_for
from .selectors import contact_detail_get, contact_tickets, contact_timeline

TIMELINE_PAGE = 10


class ContactDetailView(RoleRequiredMixin, TemplateView):
    template_name = "accounts/contact_detail.html"
    http_method_names = ["get", "head", "options"]

    def get_contact(self) -> Contact:
        try:
            return contact_detail_get(pk=self.kwargs["pk"], user=self.request.user)
        except Contact.DoesNotExist as exc:
            raise Http404(_("No such contact.")) from exc

    def get(self, request, *args, **kwargs):
        contact = self.get_contact()
        more_url = reverse("accounts:contact_detail", args=[contact.pk])
        if htmx_partial(request) and "before" in request.GET:
            context = {"account": contact.account, "activities": [], "has_more": False, "more_url": more_url}
            before = request.GET["before"]
            if not before.isdigit():
                context["timeline_error"] = _("before must be an activity id")
                return render(request, "accounts/partials/timeline_items.html", context, status=400)
            items, more = contact_timeline(contact=contact, before_id=int(before), limit=TIMELINE_PAGE)
            context.update(activities=items, has_more=more, hide_contact=True)
            return render(request, "accounts/partials/timeline_items.html", context)
        return self.render_to_response(self.get_context_data(contact=contact, more_url=more_url))

    def get_context_data(self, *, contact: Contact, more_url: str, **kwargs):
        context = super().get_context_data(**kwargs)
        tickets, ticket_counts = contact_tickets(contact=contact)
        activities, more = contact_timeline(contact=contact, limit=TIMELINE_PAGE)
        # The Details card: h1's editable rows (accounts.edit_views), under the contact's account.
        field_rows = []
        if contact.account_id:
            field_rows = [
                {"row": row, "url": reverse("accounts:contact_field", args=[contact.account_id, contact.pk, row.name])}
                for row in contact_field_rows(contact)
            ]
        context.update(
            contact=contact,
            account=contact.account,
            tickets=tickets,
            ticket_counts=ticket_counts,
            activities=activities,
            has_more=more,
            more_url=more_url,
            hide_contact=True,
            panels=contact_panels_for(self.request, contact),
            field_rows=field_rows,
            field_prefix=f"contact-{contact.pk}",
            can_edit=bool(contact.account_id) and account_can_write(self.request.user, contact.account),
        )
        return context
