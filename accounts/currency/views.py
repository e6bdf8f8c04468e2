"""The exchange-rate page (/accounts/fx-rates/): the table, what is missing today, one rate at a
time, a file upload (ECB or currency,month,rate) and delete. Everyone reads; managers change."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.choices import Role
from core.views import ActionView, ObjectListView, ServiceFormView

from ..forms import FxRateForm, FxRateUploadForm
from ..models import Account, FxRate
from .files import RateFileInvalid, rates_from_csv
from .rates import base_currency
from .selectors import accounts_missing_base, fx_rate_list, subscription_missing_rates
from .services import RatesInvalid, fx_rate_delete, fx_rates_upsert

TEMPLATE = "accounts/fx_rates.html"


def _as_form_error(error: RatesInvalid, fields: set[str]) -> ValidationError:
    out: dict[str, list[str]] = {}
    for item in error.errors:
        field = item["field"] if item["field"] in fields else "__all__"
        out.setdefault(field, []).append(item["reason"])
    return ValidationError(out)


def _page_context(request, **forms) -> dict:
    today = timezone.now().date()
    return {
        "base": base_currency(),
        "missing": subscription_missing_rates(days=[today]),
        "accounts_missing": accounts_missing_base(accounts=Account.objects.all()).count(),
        "can_edit": request.user.has_role(Role.MANAGER),
        "form": forms.get("form") or FxRateForm(initial={"month": f"{today:%Y-%m}"}),
        "upload_form": forms.get("upload_form") or FxRateUploadForm(),
        "currency": request.GET.get("currency", "").strip().upper()[:3],
    }


class FxRateListView(ObjectListView):
    template_name = TEMPLATE
    partial_name = "results"
    paginate_by = 50
    edit_role = Role.MANAGER

    def get_queryset(self):
        return fx_rate_list(currency=self.request.GET.get("currency", "").strip())

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), **_page_context(self.request)}


class FxRateSetView(ServiceFormView):
    """POST one rate (also replaces the month's rate of that currency)."""

    form_class = FxRateForm
    template_name = TEMPLATE
    view_role = Role.MANAGER
    edit_role = Role.MANAGER

    def get_context_data(self, **kwargs):
        rates = fx_rate_list()
        return {"object_list": rates[:50], "page_obj": None, **_page_context(self.request, **kwargs)}

    def perform(self, form):
        data = form.cleaned_data
        try:
            fx_rates_upsert(
                rates=[{"currency": data["currency"], "month": data["month"], "rate": data["rate"]}], source="admin"
            )
        except RatesInvalid as error:
            raise _as_form_error(error, {"currency", "month", "rate"}) from error
        return data

    def get_success_url(self, obj) -> str:
        return reverse("accounts:fx_rates")

    def get_success_message(self, obj) -> str:
        return _("%(currency)s %(month)s stored.") % {"currency": obj["currency"].upper(), "month": obj["month"]}


class FxRateUploadView(FxRateSetView):
    form_class = FxRateUploadForm

    def get_context_data(self, **kwargs):
        if "form" in kwargs:
            kwargs["upload_form"] = kwargs.pop("form")
        return super().get_context_data(**kwargs)

    def perform(self, form):
        try:
            text = form.cleaned_data["file"].read().decode("utf-8-sig")
            rates = [r for r in rates_from_csv(text) if str(r.get("currency", "")).upper() != base_currency()]
            stored = fx_rates_upsert(rates=rates, source="upload")
        except UnicodeDecodeError as error:
            raise ValidationError({"file": [_("The file is not UTF-8 text.")]}) from error
        except RateFileInvalid as error:
            raise ValidationError({"file": [str(error)]}) from error
        except RatesInvalid as error:
            first = error.errors[0]
            raise ValidationError(
                {
                    "file": [
                        _("Row %(row)d, %(field)s: %(reason)s Nothing was stored.")
                        % {"row": first["index"] + 2, "field": first["field"], "reason": first["reason"]}
                    ]
                }
            ) from error
        return {"stored": stored}

    def get_success_message(self, obj) -> str:
        return _("%(n)d monthly rates stored.") % {"n": obj["stored"]}


class FxRateDeleteView(ActionView):
    view_role = Role.MANAGER
    edit_role = Role.MANAGER
    success_message = ""

    def get_object(self):
        return get_object_or_404(FxRate, pk=self.kwargs["pk"])

    def perform(self, obj):
        fx_rate_delete(rate=obj)

    def get_success_url(self, obj) -> str:
        return reverse("accounts:fx_rates")
