from django import forms

from accounts.choices import Tier
from accounts.models import Persona

from .choices import ItemOwner, MetricOp, MilestoneKind, TouchModel, VehicleKind
from .conditions import METRIC_CHOICES


class PersonaForm(forms.Form):
    name = forms.CharField(max_length=80)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class SuccessMapForm(forms.Form):
    persona = forms.ModelChoiceField(queryset=Persona.objects.all())
    name = forms.CharField(max_length=120)
    description = forms.CharField(required=False, max_length=2000)


class StageForm(forms.Form):
    name = forms.CharField(max_length=120)
    description = forms.CharField(required=False, max_length=2000)


class MilestoneForm(forms.Form):
    title = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=MilestoneKind.choices)
    event_name = forms.CharField(max_length=128, required=False)
    metric_key = forms.ChoiceField(choices=[("", "—"), *METRIC_CHOICES], required=False)
    metric_op = forms.ChoiceField(choices=MetricOp.choices, required=False)
    metric_threshold = forms.FloatField(required=False)

    def clean(self):
        data = super().clean()
        if data.get("kind") == MilestoneKind.EVENT and not data.get("event_name"):
            self.add_error("event_name", "Name the usage event that completes this milestone.")
        if data.get("kind") == MilestoneKind.METRIC:
            if not data.get("metric_key"):
                self.add_error("metric_key", "Choose the metric.")
            if data.get("metric_threshold") is None:
                self.add_error("metric_threshold", "Give the threshold.")
        return data


class VehicleForm(forms.Form):
    title = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=VehicleKind.choices)
    url = forms.URLField(max_length=500, required=False, assume_scheme="https")


class ChecklistTemplateForm(forms.Form):
    name = forms.CharField(max_length=120)
    touch_model = forms.ChoiceField(choices=TouchModel.choices)
    tiers = forms.MultipleChoiceField(choices=Tier.choices, required=False, widget=forms.CheckboxSelectMultiple)
    value_event = forms.CharField(max_length=128, required=False)
    is_active = forms.BooleanField(required=False, initial=True)


class ChecklistItemForm(forms.Form):
    title = forms.CharField(max_length=200)
    owner = forms.ChoiceField(choices=ItemOwner.choices)
    due_offset_days = forms.IntegerField(min_value=0, max_value=365, initial=7)
    completion_event = forms.CharField(max_length=128, required=False)


class OnboardingSettingsForm(forms.Form):
    value_event = forms.CharField(max_length=128, required=False)
    stalled_days = forms.IntegerField(min_value=1, max_value=365)
    stuck_days = forms.IntegerField(min_value=1, max_value=365)


class GoalForm(forms.Form):
    title = forms.CharField(max_length=200)
    due_date = forms.DateField(required=False)
    owner = forms.CharField(required=False, help_text='"user:<id>" or "contact:<id>"')


class ShareLinkForm(forms.Form):
    contact = forms.IntegerField(required=False)
    days = forms.IntegerField(min_value=1, max_value=365, initial=30)
