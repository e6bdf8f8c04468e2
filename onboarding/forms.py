from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.choices import Tier
from accounts.models import Persona

from .choices import ItemOwner, MetricOp, MilestoneKind, TouchModel, VehicleKind
from .conditions import METRIC_CHOICES


class PersonaForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class SuccessMapForm(forms.Form):
    persona = forms.ModelChoiceField(label=_("Persona"), queryset=Persona.objects.all())
    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(label=_("Description"), required=False, max_length=2000)


class StageForm(forms.Form):
    name = forms.CharField(label=_("Stage name"), max_length=120)
    description = forms.CharField(label=_("Stage description"), required=False, max_length=2000)


class MilestoneForm(forms.Form):
    title = forms.CharField(label=_("Milestone title"), max_length=200)
    kind = forms.ChoiceField(label=_("How it completes"), choices=MilestoneKind.choices)
    event_name = forms.CharField(label=_("Usage event name"), max_length=128, required=False)
    metric_key = forms.ChoiceField(label=_("Metric"), choices=[("", "—"), *METRIC_CHOICES], required=False)
    metric_op = forms.ChoiceField(label=_("Comparison"), choices=MetricOp.choices, required=False)
    metric_threshold = forms.FloatField(label=_("Threshold"), required=False)

    def clean(self):
        data = super().clean()
        if data.get("kind") == MilestoneKind.EVENT and not data.get("event_name"):
            self.add_error("event_name", _("Name the usage event that completes this milestone."))
        if data.get("kind") == MilestoneKind.METRIC:
            if not data.get("metric_key"):
                self.add_error("metric_key", _("Choose the metric."))
            if data.get("metric_threshold") is None:
                self.add_error("metric_threshold", _("Give the threshold."))
        return data


class VehicleForm(forms.Form):
    title = forms.CharField(label=_("Vehicle title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=VehicleKind.choices)
    url = forms.URLField(label=_("Link"), max_length=500, required=False, assume_scheme="https")


class ChecklistTemplateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    touch_model = forms.ChoiceField(label=_("Touch model"), choices=TouchModel.choices)
    tiers = forms.MultipleChoiceField(
        label=_("Tiers"), choices=Tier.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    value_event = forms.CharField(label=_("Value event"), max_length=128, required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class ChecklistItemForm(forms.Form):
    title = forms.CharField(label=_("Item title"), max_length=200)
    owner = forms.ChoiceField(label=_("Owner"), choices=ItemOwner.choices)
    due_offset_days = forms.IntegerField(label=_("Due offset in days"), min_value=0, max_value=365, initial=7)
    completion_event = forms.CharField(label=_("Completion event"), max_length=128, required=False)


class OnboardingSettingsForm(forms.Form):
    value_event = forms.CharField(label=_("Default value event"), max_length=128, required=False)
    stalled_days = forms.IntegerField(label=_("Stalled after (days without progress)"), min_value=1, max_value=365)
    stuck_days = forms.IntegerField(label=_("Plan stuck after (days in a stage)"), min_value=1, max_value=365)


class GoalForm(forms.Form):
    title = forms.CharField(label=_("Goal title"), max_length=200)
    due_date = forms.DateField(label=_("Due date"), required=False)
    owner = forms.CharField(label=_("Owner"), required=False, help_text='"user:<id>" or "contact:<id>"')


class ShareLinkForm(forms.Form):
    contact = forms.IntegerField(label=_("Share with"), required=False)
    days = forms.IntegerField(label=_("Days valid"), min_value=1, max_value=365, initial=30)
