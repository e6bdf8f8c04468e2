"""Browser pages of custom fields: the admin's list and form (define, edit, archive) and the
account page's in-place edit of one value (htmx: the row's input, then the row again; a bad
value comes back on the field with status 400)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from core.models import User
from core.permissions import AdminRequiredMixin, RoleRequiredMixin
from core.views import ActionView, ServiceFormView

from ..access import account_can_write, account_read_check, account_write_check
from ..models import Account, Contact
from .definitions import custom_field_get
from .forms import DefinitionForm, value_from_post
from .models import CustomFieldDefinition, CustomFieldType
from .panels import custom_field_row
from .services import custom_field_define, custom_field_update, custom_field_values_set

__all__ = [
    "AccountCustomFieldView",
    "ContactCustomFieldView",
    "CustomFieldArchiveView",
    "CustomFieldFormView",
    "CustomFieldListView",
]

LIST_TEMPLATE = "accounts/custom_field_list.html"
PANEL_TEMPLATE = "accounts/partials/custom_fields_panel.html"


class CustomFieldListView(AdminRequiredMixin, TemplateView):
    template_name = LIST_TEMPLATE

    def get_context_data(self, **kwargs):
        definitions = list(CustomFieldDefinition.objects.all())
        return super().get_context_data(
            account_fields=[d for d in definitions if d.entity == "account"],
            contact_fields=[d for d in definitions if d.entity == "contact"],
            **kwargs,
        )


class CustomFieldFormView(AdminRequiredMixin, ServiceFormView):
    form_class = DefinitionForm
    template_name = "accounts/custom_field_form.html"

    def get_object(self):
        pk = self.kwargs.get("pk")
        return get_object_or_404(CustomFieldDefinition, pk=pk) if pk else None

    def get_form_kwargs(self):
        return {"definition": self.object}

    def perform(self, form):
        data = form.cleaned_data
        if self.object is None:
            return custom_field_define(
                entity=data["entity"],
                key=data["key"],
                field_type=data["field_type"],
                labels=form.labels(),
                choices=form.choices(),
                required=data["required"],
                filterable=data["filterable"],
            )
        return custom_field_update(
            definition=self.object,
            labels=form.labels(),
            choices=form.choices() if self.object.field_type in ("choice", "multi_choice") else None,
            required=data["required"],
            filterable=data["filterable"],
        )

    def get_success_url(self, obj) -> str:
        return reverse("accounts:custom_field_list")

    def get_success_message(self, obj) -> str:
        return _("Custom field “%(label)s” saved.") % {"label": obj.label}


class CustomFieldArchiveView(AdminRequiredMixin, ActionView):
    """POST: archive a field (its values stay; no longer shown, written or filtered) or restore it."""

    def get_object(self):
        return get_object_or_404(CustomFieldDefinition, pk=self.kwargs["pk"])

    def perform(self, obj):
        custom_field_update(definition=obj, archived=not obj.archived)

    def get_success_url(self, obj) -> str:
        return reverse("accounts:custom_field_list")


class AccountCustomFieldView(RoleRequiredMixin, View):
    """GET (htmx): the field's input row (`?edit=1`) or its value row; POST: save the value
    (custom_field_values_set: validated, timeline entry), answering the value row, or the input
    row with the error and status 400."""

    def _load(self, request, pk, key):
        account = get_object_or_404(Account, pk=pk)
        definition = custom_field_get(entity="account", key=key)
        if definition is None:
            raise Http404(_("No such custom field."))
        return account, definition

    def _render(self, request, account, definition, *, editing, error="", value=None, status=200):
        context = {
            "account": account,
            "row": custom_field_row(account, definition, value=value),
            "editing": editing,
            "error": error,
            "can_edit": request.user.can_work_accounts,
            "users": User.objects.filter(is_active=True).order_by("username")
            if editing and definition.field_type == CustomFieldType.USER
            else [],
        }
        return render(request, f"{PANEL_TEMPLATE}#row", context, status=status)

    def get(self, request, pk, key):
        account, definition = self._load(request, pk, key)
        editing = request.GET.get("edit") == "1" and request.user.can_work_accounts
        return self._render(request, account, definition, editing=editing)

    def post(self, request, pk, key):
        account, definition = self._load(request, pk, key)
        if not request.user.can_work_accounts:
            raise PermissionDenied(_("Read-only users cannot change accounts."))
        raw = value_from_post(definition, request.POST)
        try:
            custom_field_values_set(record=account, values={definition.key: raw}, author=request.user)
        except ValidationError as exc:
            message = "; ".join(exc.message_dict.get(definition.key, exc.messages))
            if definition.field_type == CustomFieldType.MONEY:  # shown again as typed, in its two inputs
                raw = {"amount": request.POST.get("value", ""), "currency": request.POST.get("currency", "")}
            return self._render(request, account, definition, editing=True, error=message, value=raw, status=400)
        account.refresh_from_db(fields=["custom_fields"])
        return self._render(request, account, definition, editing=False)


class ContactCustomFieldView(RoleRequiredMixin, View):
    """The person page's in-place edit of one contact custom field, as AccountCustomFieldView,
    under the contact's account and its write policy (accounts.access: 403 for who may not
    write it; the pencil is hidden)."""

    def _load(self, pk, contact_pk, key):
        contact = get_object_or_404(Contact.objects.select_related("account"), pk=contact_pk, account_id=pk)
        definition = custom_field_get(entity="contact", key=key)
        if definition is None:
            raise Http404(_("No such custom field."))
        return contact, definition

    def _render(self, request, contact, definition, *, editing, error="", value=None, status=200):
        context = {
            "account": contact.account,
            "row": custom_field_row(contact, definition, value=value),
            "editing": editing,
            "error": error,
            "can_edit": account_can_write(request.user, contact.account),
            "users": User.objects.filter(is_active=True).order_by("username")
            if editing and definition.field_type == CustomFieldType.USER
            else [],
        }
        return render(request, f"{PANEL_TEMPLATE}#row", context, status=status)

    def get(self, request, pk, contact_pk, key):
        contact, definition = self._load(pk, contact_pk, key)
        account_read_check(request.user, contact.account)
        editing = request.GET.get("edit") == "1"
        if editing:
            account_write_check(request.user, contact.account)
        return self._render(request, contact, definition, editing=editing)

    def post(self, request, pk, contact_pk, key):
        contact, definition = self._load(pk, contact_pk, key)
        account_write_check(request.user, contact.account)
        raw = value_from_post(definition, request.POST)
        try:
            custom_field_values_set(record=contact, values={definition.key: raw}, author=request.user)
        except ValidationError as exc:
            message = "; ".join(exc.message_dict.get(definition.key, exc.messages))
            if definition.field_type == CustomFieldType.MONEY:
                raw = {"amount": request.POST.get("value", ""), "currency": request.POST.get("currency", "")}
            return self._render(request, contact, definition, editing=True, error=message, value=raw, status=400)
        contact.refresh_from_db(fields=["custom_fields"])
        return self._render(request, contact, definition, editing=False)
