"""Forms of the risk and reason pages (the services validate again and own the rules)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.choices import Role
from core.models import User

from .choices import RISK_CLOSED_STATUSES, RISK_OPEN_STATUSES, LossKind, RiskSeverity, RiskStatus, RiskType
from .models import ReasonCode
from .models.risks import LABEL_LANGUAGES


class ReasonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.label_for()


def _reasons():
    return ReasonCode.objects.filter(archived=False)


def _workers():
    return User.objects.filter(is_active=True, role__in=[Role.CSM, Role.MANAGER, Role.ADMIN]).order_by("username")


class RiskForm(forms.Form):
    type = forms.ChoiceField(label=_("Type"), choices=RiskType.choices)
    reason_code = ReasonChoiceField(label=_("Reason"), queryset=ReasonCode.objects.none())
    severity = forms.ChoiceField(label=_("Severity"), choices=RiskSeverity.choices, initial=RiskSeverity.MEDIUM)
    arr_at_risk = forms.DecimalField(
        label=_("ARR at risk"),
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
        help_text=_("Empty: the account's ARR."),
    )
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=User.objects.none(), required=False)
    due_date = forms.DateField(label=_("Due date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    mitigation_plan = forms.CharField(
        label=_("Mitigation plan"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason_code"].queryset = _reasons()
        self.fields["owner"].queryset = _workers()


class RiskUpdateForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), choices=[(s, label) for s, label in RiskStatus.choices if s in RISK_OPEN_STATUSES]
    )
    reason_code = ReasonChoiceField(label=_("Reason"), queryset=ReasonCode.objects.none())
    severity = forms.ChoiceField(label=_("Severity"), choices=RiskSeverity.choices)
    arr_at_risk = forms.DecimalField(label=_("ARR at risk"), min_value=0, max_digits=14, decimal_places=2)
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=User.objects.none(), required=False)
    due_date = forms.DateField(label=_("Due date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    mitigation_plan = forms.CharField(
        label=_("Mitigation plan"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason_code"].queryset = _reasons()
        self.fields["owner"].queryset = _workers()


class RiskCloseForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[(s, label) for s, label in RiskStatus.choices if s in RISK_CLOSED_STATUSES],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("What happened"), widget=forms.Textarea(attrs={"rows": 3}))


class ReasonAnswerForm(forms.Form):
    reason_code = ReasonChoiceField(label=_("Reason"), queryset=ReasonCode.objects.none())
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason_code"].queryset = _reasons()


class SubscriptionLossForm(ReasonAnswerForm):
    kind = forms.ChoiceField(
        label=_("What happens"),
        choices=[(LossKind.CHURN, _("Cancellation")), (LossKind.DOWNGRADE, _("Downgrade"))],
        widget=forms.RadioSelect,
    )
    effective_date = forms.DateField(
        label=_("Ends on (cancellation)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    new_mrr = forms.DecimalField(
        label=_("New MRR (downgrade)"), required=False, min_value=0, max_digits=14, decimal_places=2
    )

    field_order = ["kind", "effective_date", "new_mrr", "reason_code", "note"]


class ReasonCodeForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=40)
    label = forms.CharField(label=_("Label (English)"), max_length=120)
    label_ar = forms.CharField(label=_("Label (Arabic)"), max_length=120, required=False)
    label_fa = forms.CharField(label=_("Label (Persian)"), max_length=120, required=False)
    label_zh_hans = forms.CharField(label=_("Label (Chinese)"), max_length=120, required=False)
    order = forms.IntegerField(label=_("Order"), min_value=0, max_value=32000, initial=100)
    archived = forms.BooleanField(label=_("Archived (no longer offered)"), required=False)

    def labels(self) -> dict:
        return {lang: self.cleaned_data.get(f"label_{lang.replace('-', '_')}", "") for lang in LABEL_LANGUAGES}
