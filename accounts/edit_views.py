"""Editing in place (htmx): one field of an account or of one of its contacts per URL, and the
account team (POST /accounts/<pk>/team/, /accounts/<pk>/team/<member pk>/remove/).

GET  /accounts/<pk>/fields/<name>/            the field's row (`?edit=1`: its input)
POST /accounts/<pk>/fields/<name>/            save: the row again (200, `HX-Trigger: account-changed`,
                                              which reloads the timeline), or the input with the
                                              reason on the field (400)
and the same under /accounts/<pk>/contacts/<contact pk>/fields/<name>/.

The markup is `accounts/partials/field_rows.html` (`#row`, `#form`): the account page's Details
card and the contact rows include it, and so can a person page. Writes go through
accounts.editing; who may write is accounts.access (403 otherwise; the pencil is hidden)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from core.models import User
from core.permissions import RoleRequiredMixin
from core.views import htmx_partial, with_trigger

from .access import account_can_write, account_read_check, account_write_check
from .choices import TeamRole
from .editing import (
    ACCOUNT_FIELDS,
    CONTACT_FIELDS,
    FieldRow,
    FieldSpec,
    account_update,
    contact_field_rows,
    contact_update,
    field_row,
    owner_choices,
)
from .models import Account, AccountTeamMember, Contact, Persona
from .selectors import account_team
from .teams import team_member_add, team_member_remove

__all__ = [
    "AccountFieldView",
    "ContactFieldView",
    "ContactFieldsView",
    "TeamAddView",
    "TeamRemoveView",
    "field_value_parse",
]

TEMPLATE = "accounts/partials/field_rows.html"


def field_value_parse(spec: FieldSpec, raw: str):
    """The posted text → the value the service takes (instances for foreign keys). A reference
    that names nothing is a ValidationError for the field."""
    raw = (raw or "").strip()
    if spec.kind == "user":
        if not raw:
            return None
        user = User.objects.filter(pk=int(raw)).first() if raw.isdigit() else None
        if user is None:
            raise ValidationError(_("No such user."))
        return user
    if spec.kind == "persona":
        if not raw:
            return None
        persona = Persona.objects.filter(pk=int(raw)).first() if raw.isdigit() else None
        if persona is None:
            raise ValidationError(_("No such persona."))
        return persona
    if spec.kind == "account":
        if not raw:
            return None
        parent = Account.objects.filter(external_id=raw).first()
        if parent is None:
            raise ValidationError(_("No account has the external id %(id)s.") % {"id": raw})
        return parent
    return raw


class FieldEditView(RoleRequiredMixin, View):
    """Shared: look up the object and the field, answer the row or its form."""

    http_method_names = ["get", "post"]
    specs: dict[str, FieldSpec] = {}

    def get_object(self):
        raise NotImplementedError

    def account_of(self, obj) -> Account:
        raise NotImplementedError

    def url(self, obj, name: str) -> str:
        raise NotImplementedError

    def save(self, obj, values: dict) -> dict:
        raise NotImplementedError

    def spec(self) -> FieldSpec:
        spec = self.specs.get(self.kwargs["name"])
        if spec is None:
            raise Http404("No such field.")
        return spec

    def render_row(self, obj, row: FieldRow, *, editing: bool, error: str = "", status: int = 200):
        account = self.account_of(obj)
        context = {
            "row": row,
            "url": self.url(obj, row.name),
            "can_edit": account_can_write(self.request.user, account),
            "error": error,
            "prefix": self.prefix(obj),
        }
        return render(self.request, f"{TEMPLATE}#{'form' if editing else 'row'}", context, status=status)

    def prefix(self, obj) -> str:
        return "account" if isinstance(obj, Account) else f"contact-{obj.pk}"

    def get(self, request, *args, **kwargs):
        obj = self.get_object()
        account_read_check(request.user, self.account_of(obj))
        spec = self.spec()
        editing = request.GET.get("edit") == "1"
        if editing:
            account_write_check(request.user, self.account_of(obj))
        return self.render_row(obj, field_row(obj, spec), editing=editing)

    def post(self, request, *args, **kwargs):
        obj = self.get_object()
        account_write_check(request.user, self.account_of(obj))
        spec = self.spec()
        posted = request.POST.get("value", "")
        try:
            changed = self.save(obj, {spec.name: field_value_parse(spec, posted)})
        except ValidationError as exc:
            messages = exc.message_dict.get(spec.name, exc.messages) if hasattr(exc, "error_dict") else exc.messages
            row = FieldRow(spec=spec, value=posted, initial=posted)
            return self.render_row(obj, row, editing=True, error=" ".join(messages), status=400)
        response = self.render_row(obj, field_row(obj, spec), editing=False)
        return with_trigger(response, "account-changed" if changed else None)


class AccountFieldView(FieldEditView):
    specs = ACCOUNT_FIELDS

    def get_object(self) -> Account:
        return get_object_or_404(Account.objects.select_related("owner", "parent"), pk=self.kwargs["pk"])

    def account_of(self, obj) -> Account:
        return obj

    def url(self, obj, name: str) -> str:
        return reverse("accounts:field", args=[obj.pk, name])

    def save(self, obj, values):
        return account_update(account=obj, values=values, author=self.request.user, source="page")


class ContactFieldView(FieldEditView):
    specs = CONTACT_FIELDS

    def get_object(self) -> Contact:
        return get_object_or_404(
            Contact.objects.select_related("account", "persona"),
            pk=self.kwargs["contact_pk"],
            account_id=self.kwargs["pk"],
        )

    def account_of(self, obj) -> Account:
        return obj.account

    def url(self, obj, name: str) -> str:
        return reverse("accounts:contact_field", args=[obj.account_id, obj.pk, name])

    def save(self, obj, values):
        return contact_update(contact=obj, values=values, author=self.request.user, source="page")


class ContactFieldsView(RoleRequiredMixin, View):
    """GET /accounts/<pk>/contacts/<contact pk>/fields/: every editable row of one contact (the
    contact row's pencil opens them under the contact)."""

    http_method_names = ["get"]

    def get(self, request, pk: int, contact_pk: int):
        contact = get_object_or_404(Contact.objects.select_related("account", "persona"), pk=contact_pk, account_id=pk)
        account_read_check(request.user, contact.account)
        rows = [
            {"row": row, "url": reverse("accounts:contact_field", args=[pk, contact.pk, row.name])}
            for row in contact_field_rows(contact)
        ]
        context = {
            "contact": contact,
            "rows": rows,
            "can_edit": account_can_write(request.user, contact.account),
            "prefix": f"contact-{contact.pk}",
        }
        return render(request, f"{TEMPLATE}#contact_rows", context)


# Section: the account team


def _team_context(request, account: Account, *, error: str = "") -> dict:
    can_edit = account_can_write(request.user, account)
    return {
        "account": account,
        "account_team": account_team(account_id=account.pk),
        "can_edit": can_edit,
        "team_user_choices": owner_choices() if can_edit else [],
        "team_role_choices": TeamRole.choices,
        "team_error": error,
    }


class TeamActionView(RoleRequiredMixin, View):
    """POST → accounts.teams → the team block again (`account_detail.html#team`); a refused
    value is the block with the reason, 400."""

    http_method_names = ["post"]

    def act(self, account: Account) -> None:
        raise NotImplementedError

    def post(self, request, pk: int, **kwargs):
        account = get_object_or_404(Account.objects.select_related("owner"), pk=pk)
        account_write_check(request.user, account)
        try:
            self.act(account)
        except ValidationError as exc:
            context = _team_context(request, account, error=" ".join(exc.messages))
            return render(request, "accounts/account_detail.html#team", context, status=400)
        if not htmx_partial(request):
            return redirect("accounts:detail", pk=account.pk)
        response = render(request, "accounts/account_detail.html#team", _team_context(request, account))
        return with_trigger(response, "account-changed")


class TeamAddView(TeamActionView):
    def act(self, account):
        raw = self.request.POST.get("user", "")
        user = User.objects.filter(pk=int(raw)).first() if raw.isdigit() else None
        if user is None:
            raise ValidationError({"user": _("Choose someone to add.")})
        team_member_add(account=account, user=user, role=self.request.POST.get("role", ""), author=self.request.user)


class TeamRemoveView(TeamActionView):
    def act(self, account):
        member = get_object_or_404(
            AccountTeamMember.objects.select_related("user", "account"), pk=self.kwargs["member_pk"], account=account
        )
        team_member_remove(member=member, author=self.request.user)
