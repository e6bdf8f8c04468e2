"""Forms of the renewals pages (opportunities and forecast half) and the filters of the list."""

from datetime import timedelta

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.choices import Tier
from accounts.models import Account
from core.choices import Role
from core.models import User

from .choices import ForecastCategory, OpportunityKind, StageKind
from .models import Opportunity, PipelineStage


def csm_choices() -> list[tuple[str, str]]:
    users = User.objects.filter(is_active=True, role__in=[Role.CSM, Role.MANAGER, Role.ADMIN]).order_by(
        "first_name", "username"
    )
    return [(str(u.pk), u.get_full_name() or u.username) for u in users]


def team_choices() -> list[tuple[str, str]]:
    managers = User.objects.filter(is_active=True, reports__isnull=False).distinct().order_by("first_name")
    return [(str(u.pk), u.get_full_name() or u.username) for u in managers]


class OpportunityForm(forms.Form):
    """Create or edit an opportunity; the account is picked by external id or exact name."""

    account = forms.CharField(
        label=_("Account"),
        max_length=255,
        help_text=_("The account's external id or exact name."),
        error_messages={"required": _("Choose an account.")},
    )
    kind = forms.ChoiceField(label=_("Type"), choices=OpportunityKind.choices, initial=OpportunityKind.RENEWAL)
    amount = forms.DecimalField(label=_("Amount (ARR)"), min_value=0, max_digits=14, decimal_places=2)
    currency = forms.CharField(label=_("Currency"), max_length=3, min_length=3, required=False)
    close_date = forms.DateField(
        label=_("Close date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter a date as YYYY-MM-DD.")},
    )
    stage = forms.ModelChoiceField(label=_("Stage"), queryset=PipelineStage.objects.all(), empty_label=None)
    category = forms.ChoiceField(
        label=_("Forecast category"), choices=ForecastCategory.choices, initial=ForecastCategory.PIPELINE
    )
    owner = forms.ModelChoiceField(
        label=_("Owner"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("The account's CSM"),
    )
    call_amount = forms.DecimalField(
        label=_("CSM's call (ARR expected)"), min_value=0, max_digits=14, decimal_places=2, required=False
    )
    next_step = forms.CharField(label=_("Next step"), max_length=255, required=False)
    external_id = forms.CharField(label=_("External id (CRM)"), max_length=191, required=False)

    def __init__(self, *args, instance: Opportunity | None = None, **kwargs):
        self.instance = instance
        if instance is not None and not kwargs.get("initial"):
            kwargs["initial"] = {
                "account": instance.account.external_id,
                "kind": instance.kind,
                "amount": instance.amount,
                "currency": instance.currency,
                "close_date": instance.close_date,
                "stage": instance.stage_id,
                "category": instance.category,
                "owner": instance.owner_id,
                "call_amount": instance.call_amount,
                "next_step": instance.next_step,
                "external_id": instance.external_id or "",
            }
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = User.objects.filter(
            is_active=True, role__in=[Role.CSM, Role.MANAGER, Role.ADMIN]
        ).order_by("first_name", "username")
        if instance is not None:
            self.fields["account"].disabled = True
            self.fields["owner"].empty_label = _("No owner")
        self.initial.setdefault("close_date", timezone.now().date() + timedelta(days=90))

    def clean_account(self):
        if self.instance is not None:
            return self.instance.account
        value = self.cleaned_data["account"].strip()
        account = Account.objects.filter(external_id=value).first()
        if account is None:
            matches = list(Account.objects.filter(name__iexact=value)[:2])
            if len(matches) != 1:
                raise forms.ValidationError(
                    _("No account has this external id or name.")
                    if not matches
                    else _("Several accounts have this name: use the external id.")
                )
            account = matches[0]
        return account

    def service_values(self) -> dict:
        data = dict(self.cleaned_data)
        if self.instance is not None:
            data.pop("account")
        if not data.get("currency"):
            data.pop("currency", None)
        if self.instance is None and data.get("owner") is None:
            data.pop("owner", None)  # a new one goes to the account's CSM
        return data


class PipelineStageForm(forms.ModelForm):
    class Meta:
        model = PipelineStage
        fields = ["name", "order", "probability", "kind"]


class OpportunityFilterSet(django_filters.FilterSet):
    """The list's filters (owner, stage, category, close window, type, status)."""

    owner = django_filters.ChoiceFilter(method="filter_owner", label=_("Owner"), empty_label=_("All owners"))
    stage = django_filters.ModelChoiceFilter(queryset=PipelineStage.objects.all(), empty_label=_("All stages"))
    category = django_filters.ChoiceFilter(choices=ForecastCategory.choices, empty_label=_("All categories"))
    kind = django_filters.ChoiceFilter(choices=OpportunityKind.choices, empty_label=_("All types"))
    status = django_filters.ChoiceFilter(choices=StageKind.choices, empty_label=_("Open and closed"))
    window = django_filters.ChoiceFilter(
        method="filter_window",
        label=_("Close date"),
        empty_label=_("Any close date"),
        choices=[
            ("overdue", _("Overdue")),
            ("30", _("Next 30 days")),
            ("90", _("Next 90 days")),
            ("120", _("Next 120 days")),
            ("365", _("Next 12 months")),
        ],
    )
    q = django_filters.CharFilter(method="filter_search", label=_("Search"))

    class Meta:
        model = Opportunity
        fields = ["q", "owner", "stage", "category", "kind", "status", "window"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        self.filters["owner"].extra["choices"] = [
            ("me", _("My opportunities")),
            ("none", _("Unassigned")),
        ] + csm_choices()
        for name, flt in self.filters.items():
            if name != "q":
                flt.extra["widget"] = forms.Select(attrs={"aria-label": str(flt.label or name)})

    def filter_owner(self, queryset, name, value):
        if value == "me":
            return queryset.filter(owner=self.request.user)
        if value == "none":
            return queryset.filter(owner__isnull=True)
        return queryset.filter(owner_id=value) if value.isdigit() else queryset

    def filter_window(self, queryset, name, value):
        today = timezone.now().date()
        if value == "overdue":
            return queryset.filter(status=StageKind.OPEN, close_date__lt=today)
        return queryset.filter(close_date__gte=today, close_date__lte=today + timedelta(days=int(value)))

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(account__name__icontains=value) | Q(account__external_id__iexact=value) | Q(external_id__iexact=value)
        )


class ForecastFilterForm(forms.Form):
    quarter = forms.DateField(required=False, widget=forms.Select(attrs={"aria-label": _("Quarter")}))
    csm = forms.TypedChoiceField(required=False, coerce=int, empty_value=None, label=_("CSM"))
    team = forms.TypedChoiceField(required=False, coerce=int, empty_value=None, label=_("Team"))
    segment = forms.ChoiceField(required=False, label=_("Segment"))
    tier = forms.ChoiceField(required=False, label=_("Tier"), choices=[("", _("All tiers")), *Tier.choices])

    def __init__(self, *args, quarters=(), segments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["quarter"].widget.choices = [(q["quarter"].isoformat(), q["label"]) for q in quarters]
        self.fields["csm"].choices = [("", _("All CSMs")), *csm_choices()]
        self.fields["team"].choices = [("", _("All teams")), *team_choices()]
        self.fields["segment"].choices = [("", _("All segments")), *[(s, s) for s in segments]]
        for name in ("csm", "team", "segment", "tier"):
            self.fields[name].widget.attrs["aria-label"] = str(self.fields[name].label)
