from django import forms
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from accounts.choices import Tier
from accounts.models import Account
from core.choices import Role
from core.models import User

from .periods import PRESETS

SEGMENTS_CACHE_SECONDS = 300


def segment_choices() -> list[tuple[str, str]]:
    """Account segments (free text): those of the latest refresh while no data changed since,
    else a distinct scan over every account cached for a few minutes."""
    from .selectors import cube_is_fresh, last_refresh

    refresh = last_refresh()
    if cube_is_fresh(refresh) and refresh.segments:
        return [("", _("All segments")), *[(s, s) for s in refresh.segments]]
    segments = cache.get("reports:segments")
    if segments is None:
        segments = list(
            Account.objects.exclude(segment="").order_by("segment").values_list("segment", flat=True).distinct()
        )
        cache.set("reports:segments", segments, SEGMENTS_CACHE_SECONDS)
    return [("", _("All segments")), *[(s, s) for s in segments]]


def csm_queryset():
    """Who can own accounts: active CSMs, managers and admins."""
    return User.objects.filter(role__in=[Role.CSM, Role.MANAGER, Role.ADMIN], is_active=True)


class ReportFilterForm(forms.Form):
    """Period (a preset or custom dates), segment, tier and CSM for every report page."""

    period = forms.ChoiceField(label=_("Period"), choices=[*PRESETS.items(), ("custom", _("Custom…"))], required=False)
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}), help_text=_("Exclusive.")
    )
    segment = forms.ChoiceField(label=_("Segment"), required=False)
    tier = forms.ChoiceField(label=_("Tier"), choices=[("", _("All tiers")), *Tier.choices], required=False)
    csm = forms.ModelChoiceField(
        label=_("CSM"), queryset=User.objects.none(), required=False, empty_label=_("All CSMs")
    )

    def __init__(self, *args, with_csm: bool = True, with_period: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["segment"].choices = segment_choices()
        self.fields["csm"].queryset = csm_queryset()
        if not with_csm:
            del self.fields["csm"]
        if not with_period:
            for name in ("period", "start", "end"):
                del self.fields[name]

    def clean(self):
        data = super().clean()
        if data.get("period") == "custom":
            start, end = data.get("start"), data.get("end")
            if not start:
                self.add_error("start", _("Pick the first day of the period."))
            if not end:
                self.add_error("end", _("Pick the day after the period's last day."))
            if start and end and start >= end:
                self.add_error("end", _("Must be after the start (the period is [start, end))."))
        return data
