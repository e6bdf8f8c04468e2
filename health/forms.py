"""Forms: the scorecard editor (scorecard fields + one row per registered measure), the
shared health settings, and the account card's override and sentiment forms."""

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import EventMeasure, HealthSettings, Scorecard


def parse_points(text: str) -> list[list[float]]:
    """ "0:0, 4:30, 12:70" -> [[0, 0], [4, 30], [12, 70]] (sorted by raw value)."""
    points = []
    for part in text.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        if ":" not in part:
            raise forms.ValidationError(_("“%(part)s” is not raw:score (e.g. 12:70).") % {"part": part})
        raw, score = (p.strip() for p in part.split(":", 1))
        try:
            raw_f, score_f = float(raw), float(score)
        except ValueError as exc:
            raise forms.ValidationError(_("“%(part)s”: both sides must be numbers.") % {"part": part}) from exc
        if not 0 <= score_f <= 100:
            raise forms.ValidationError(_("“%(part)s”: the score must be between 0 and 100.") % {"part": part})
        points.append([raw_f, score_f])
    if not points:
        raise forms.ValidationError(_("Give at least one raw:score point."))
    raws = [p[0] for p in points]
    if len(set(raws)) != len(raws):
        raise forms.ValidationError(_("Each raw value may appear once."))
    return sorted(points)


def format_points(points) -> str:
    def num(x):
        return str(int(x)) if float(x).is_integer() else f"{x:g}"

    return ", ".join(f"{num(r)}:{num(s)}" for r, s in points)


class ScorecardForm(forms.ModelForm):
    class Meta:
        model = Scorecard
        fields = ["name", "tier", "segment", "is_default", "red_below", "green_from"]
        labels = {
            "name": gettext_lazy("Name"),
            "tier": gettext_lazy("Tier"),
            "segment": gettext_lazy("Segment"),
            "red_below": gettext_lazy("Red below"),
            "green_from": gettext_lazy("Green from"),
            "is_default": gettext_lazy("Default scorecard"),
        }

    def clean_name(self):
        name = self.cleaned_data["name"]
        taken = Scorecard.objects.current().filter(name=name)
        if self.instance.pk:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(_("A scorecard named “%(name)s” already exists.") % {"name": name})
        return name

    def clean(self):
        data = super().clean()
        red, green = data.get("red_below"), data.get("green_from")
        if red is not None and green is not None and red > green:
            self.add_error("green_from", _("Green must start at or above the red edge."))
        if data.get("is_default"):
            others = Scorecard.objects.filter(is_default=True)
            if self.instance.pk:
                others = others.exclude(pk=self.instance.pk)
            if others.exists():
                self.add_error("is_default", _("“%(name)s” is already the default.") % {"name": others.first()})
        elif not data.get("tier") and not data.get("segment"):
            self.add_error("segment", _("Set a tier or a segment, or make this the default scorecard."))
        return data


class MeasureRowForm(forms.Form):
    """One registered measure on the scorecard (prefix = the measure key). Weight and
    thresholds are required only when the measure is used."""

    on = forms.BooleanField(required=False)
    weight = forms.IntegerField(min_value=0, max_value=100, initial=10, required=False)
    points = forms.CharField(max_length=400, required=False, widget=forms.TextInput(attrs={"size": 28}))

    def clean_points(self):
        text = self.cleaned_data["points"]
        return parse_points(text) if text.strip() else None

    def clean(self):
        data = super().clean()
        if data.get("on"):
            if data.get("weight") is None and "weight" not in self.errors:
                self.add_error("weight", _("Give a weight."))
            if not data.get("points") and "points" not in self.errors:
                self.add_error("points", _("Give at least one raw:score point."))
        return data


class HealthSettingsForm(forms.ModelForm):
    key_features = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Event names, comma or newline separated: the depth measure counts how many are used."),
    )

    class Meta:
        model = HealthSettings
        fields = ["key_features", "sentiment_stale_days"]
        labels = {"sentiment_stale_days": gettext_lazy("Sentiment stale after (days)")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["key_features"] = ", ".join(self.instance.key_features or [])

    def clean_key_features(self):
        text = self.cleaned_data["key_features"].replace("\n", ",")
        return [k.strip() for k in text.split(",") if k.strip()]

    def clean_sentiment_stale_days(self):
        days = self.cleaned_data["sentiment_stale_days"]
        if not 1 <= days <= 365:
            raise forms.ValidationError(_("Between 1 and 365 days."))
        return days


class OverrideForm(forms.Form):
    score = forms.IntegerField(min_value=0, max_value=100)
    reason = forms.CharField(
        max_length=500, widget=forms.TextInput(attrs={"placeholder": gettext_lazy("Why the measures are wrong")})
    )
    expires_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label=gettext_lazy("Until"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["expires_on"].initial = (timezone.now() + timedelta(days=30)).date()

    def clean_expires_on(self):
        day = self.cleaned_data["expires_on"]
        if day <= timezone.now().date():
            raise forms.ValidationError(_("Pick a day after today: an override must end in the future."))
        if day > timezone.now().date() + timedelta(days=365):
            raise forms.ValidationError(_("At most a year ahead."))
        return day


class SentimentForm(forms.Form):
    value = forms.TypedChoiceField(
        coerce=int, choices=[(i, f"{i}") for i in range(1, 6)], label=gettext_lazy("Sentiment (1–5)")
    )
    note = forms.CharField(
        max_length=255, required=False, widget=forms.TextInput(attrs={"placeholder": gettext_lazy("Optional note")})
    )


class EventMeasureForm(forms.ModelForm):
    """An admin's event measure: a label, the event names (comma-separated), the kind."""

    event_names = forms.CharField(
        label=gettext_lazy("Event names"),
        help_text=gettext_lazy("Comma-separated, counted together, e.g. report_viewed, report_exported."),
        widget=forms.TextInput(attrs={"placeholder": "report_viewed, report_exported"}),
    )

    class Meta:
        model = EventMeasure
        fields = ["label", "event_names", "kind", "calibrated"]
        labels = {
            "label": gettext_lazy("Label"),
            "kind": gettext_lazy("Kind"),
            "calibrated": gettext_lazy("Rank within the segment"),
        }
        help_texts = {
            "calibrated": gettext_lazy(
                "Score the account as its percentile among the accounts of its segment that day."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["event_names"] = ", ".join(self.instance.event_names)

    def clean_event_names(self) -> list[str]:
        names = list(dict.fromkeys(n.strip() for n in self.cleaned_data["event_names"].split(",") if n.strip()))
        if not names:
            raise forms.ValidationError(_("Name at least one event."))
        for name in names:
            if "__" in name or len(name) > 128:
                raise forms.ValidationError(
                    _("“%(name)s”: event names are at most 128 characters, without “__”.") % {"name": name}
                )
        return names
