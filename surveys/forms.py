from urllib.parse import urlsplit

from django import forms
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.choices import Tier
from accounts.saved_views import SavedView

from .choices import LANGUAGES, QuestionType, SurveyKind, TriggerType
from .models import Survey, SurveyWorkspace, normalize_origin
from .wording import TEXT_KEYS, TEXT_LABELS, default_texts, follow_up_translation, wording_status


def parse_follow_ups(text: str) -> list[dict]:
    """One question per line: `type | label | option; option`, type text, single or multiple."""
    questions, errors = [], []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        kind = parts[0].lower()
        if kind not in QuestionType.values or len(parts) < 2 or not parts[1]:
            errors.append(f"line {number}: write `text | label` or `single|multiple | label | a; b; c`")
            continue
        options = [o.strip() for o in (parts[2] if len(parts) > 2 else "").split(";") if o.strip()]
        if kind != QuestionType.TEXT and len(options) < 2:
            errors.append(f"line {number}: a choice question needs at least two options")
            continue
        if len(parts[1]) > 200 or any(len(o) > 100 for o in options) or len(options) > 12:
            errors.append(f"line {number}: label at most 200 characters, at most 12 options of 100")
            continue
        questions.append({"id": f"q{len(questions) + 1}", "type": kind, "label": parts[1], "options": options})
    if len(questions) > 5:
        errors.append("at most 5 follow-up questions")
    if errors:
        raise forms.ValidationError(errors)
    return questions


_FOLLOW_UP_WORDING = ("type", "label", "options")


def follow_up_line(label: str, options: list[str]) -> str:
    """A follow-up's wording in one field: `label` or `label | a; b; c`."""
    return f"{label} | {'; '.join(options)}" if options else label


def parse_follow_up_translation(text: str, question: dict) -> dict:
    """`label` (text question) or `label | a; b; c` with as many options as the question has,
    in its order. Raises ValidationError with the reason."""
    label, _sep, rest = text.partition("|") if question.get("options") else (text, "", "")
    label = label.strip()
    options = [o.strip() for o in rest.split(";") if o.strip()]
    wanted = len(question.get("options") or [])
    if not label:
        raise forms.ValidationError(_("Write the question before the “|”."))
    if len(options) != wanted:
        raise forms.ValidationError(
            _("Write the question, then “|” and its %(n)d options separated by “;”, in the same order.") % {"n": wanted}
        )
    if len(label) > 200 or any(len(o) > 100 for o in options):
        raise forms.ValidationError(_("At most 200 characters for the question and 100 for each option."))
    return {"label": label, "options": options}


def follow_ups_text(questions: list[dict]) -> str:
    lines = []
    for q in questions or []:
        line = f"{q['type']} | {q['label']}"
        if q.get("options"):
            line += " | " + "; ".join(q["options"])
        lines.append(line)
    return "\n".join(lines)


class SurveyForm(forms.ModelForm):
    segments_text = forms.CharField(
        label=gettext_lazy("Segments"),
        required=False,
        help_text=gettext_lazy("Comma-separated account segments; empty = every segment."),
    )
    tiers = forms.MultipleChoiceField(
        choices=Tier.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("None ticked = every tier."),
    )
    follow_ups_text = forms.CharField(
        label=gettext_lazy("Follow-up questions"),
        required=False,
        widget=forms.Textarea(
            attrs={"rows": 4, "placeholder": "single | What do you use most? | Reports; Dashboards; API"}
        ),
        help_text=gettext_lazy(
            "One per line: `text | label`, `single | label | a; b; c` or `multiple | label | a; b; c`."
        ),
    )

    class Meta:
        model = Survey
        fields = [
            "name",
            "kind",
            "status",
            "workspace",
            "default_language",
            "brand_color",
            "logo_url",
            "personas",
            "saved_view",
            "sample_percent",
            "trigger",
            "trigger_event",
            "trigger_days",
            "delay_seconds",
            "starts_at",
            "ends_at",
            "drip_per_day",
        ]
        widgets = {
            "brand_color": forms.TextInput(attrs={"type": "color"}),
            "starts_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "ends_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "default_language": forms.Select(choices=list(LANGUAGES.items())),
            "personas": forms.CheckboxSelectMultiple,
        }
        labels = {
            "name": gettext_lazy("Name"),
            "kind": gettext_lazy("Kind"),
            "status": gettext_lazy("Status"),
            "workspace": gettext_lazy("Workspace"),
            "default_language": gettext_lazy("Default language"),
            "brand_color": gettext_lazy("Brand colour"),
            "logo_url": gettext_lazy("Logo URL"),
            "personas": gettext_lazy("Personas"),
            "sample_percent": gettext_lazy("Sampling %"),
            "trigger": gettext_lazy("Trigger"),
            "trigger_event": gettext_lazy("Trigger event"),
            "trigger_days": gettext_lazy("Trigger days"),
            "delay_seconds": gettext_lazy("Delay (seconds)"),
            "starts_at": gettext_lazy("Starts at"),
            "ends_at": gettext_lazy("Ends at"),
            "drip_per_day": gettext_lazy("Drip per day"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        survey = self.instance
        self.fields["segments_text"].initial = ", ".join(survey.segments or [])
        self.fields["tiers"].initial = survey.tiers or []
        self.fields["saved_view"].queryset = SavedView.objects.filter(shared=True).order_by("name")
        self.fields["saved_view"].label = _("In the saved view")
        self.fields["saved_view"].empty_label = _("Any account")
        self.fields["follow_ups_text"].initial = follow_ups_text(survey.follow_ups)
        self._saved_follow_ups = list(survey.follow_ups or [])  # save() compares the new ones to these
        kind = self.data.get("kind") or survey.kind or "nps"
        for lang in LANGUAGES:
            defaults = default_texts(kind, lang)
            saved = (survey.translations or {}).get(lang, {})
            for key in TEXT_KEYS:
                self.fields[f"t_{lang}_{key}"] = forms.CharField(
                    label=TEXT_LABELS[key],
                    required=False,
                    max_length=300,
                    initial=saved.get(key, ""),
                    widget=forms.TextInput(attrs={"placeholder": defaults.get(key, ""), "dir": "auto", "lang": lang}),
                )
            if lang == survey.default_language:
                continue
            for question in survey.follow_ups or []:
                translated = follow_up_translation(survey.translations, lang, question)
                self.fields[f"fu_{lang}_{question['id']}"] = forms.CharField(
                    label=_("Follow-up: %(label)s") % {"label": question["label"]},
                    required=False,
                    max_length=1600,
                    initial=follow_up_line(translated["label"], translated["options"]) if translated else "",
                    widget=forms.TextInput(
                        attrs={
                            "placeholder": follow_up_line(question["label"], question.get("options") or []),
                            "dir": "auto",
                            "lang": lang,
                        }
                    ),
                )

    def _bound(self, names):
        return [self[name] for name in names]

    def basic_fields(self):
        return self._bound(["name", "kind", "status", "workspace", "default_language", "brand_color", "logo_url"])

    def trigger_fields(self):
        return self._bound(["trigger", "trigger_event", "trigger_days", "delay_seconds"])

    def schedule_fields(self):
        return self._bound(["starts_at", "ends_at", "drip_per_day"])

    def _follow_up_fields(self, lang: str) -> list:
        return [self[f"fu_{lang}_{q['id']}"] for q in self._saved_follow_ups if f"fu_{lang}_{q['id']}" in self.fields]

    def language_groups(self):
        """Per language: its code, name, text fields, follow-up fields, completeness (as saved)."""
        survey = self.instance
        statuses = {
            s.code: s
            for s in wording_status(
                default_language=survey.default_language, translations=survey.translations, follow_ups=survey.follow_ups
            )
        }
        return [
            {
                "code": code,
                "name": name,
                "fields": [self[f"t_{code}_{key}"] for key in TEXT_KEYS],
                "follow_up_fields": self._follow_up_fields(code),
                "status": statuses[code],
                "texts": survey.texts(code),
                "follow_ups": survey.follow_ups_in(code),
                "scores": list(range(survey.score_range[0], survey.score_range[1] + 1)),
            }
            for code, name in LANGUAGES.items()
        ]

    def clean(self):
        data = super().clean()
        self._clean_schedule(data)
        for question in self._saved_follow_ups:
            for lang in LANGUAGES:
                name = f"fu_{lang}_{question['id']}"
                if data.get(name, "").strip():
                    try:
                        data[name] = parse_follow_up_translation(data[name], question)
                    except forms.ValidationError as exc:
                        self.add_error(name, exc)
        return data

    def _follow_up_translations(self, new_follow_ups: list[dict]) -> dict[str, dict]:
        """{language: {question id: translation}} for the questions whose default-language
        wording did not change in this save (a changed question's translations would no longer
        say the same thing: they are dropped, and `follow_up_translations_cleared` says so)."""
        old = {q["id"]: q for q in self._saved_follow_ups}
        kept: dict[str, dict] = {}
        self.follow_up_translations_cleared = False
        for question in new_follow_ups:
            before = old.get(question["id"])
            unchanged = before is not None and all(
                before.get(k) == question.get(k) for k in ("type", "label", "options")
            )
            for lang in LANGUAGES:
                value = self.cleaned_data.get(f"fu_{lang}_{question['id']}")
                if not isinstance(value, dict):
                    continue
                if unchanged:
                    kept.setdefault(lang, {})[question["id"]] = value
                else:
                    self.follow_up_translations_cleared = True
        return kept

    def clean_follow_ups_text(self):
        return parse_follow_ups(self.cleaned_data.get("follow_ups_text", ""))

    def clean_brand_color(self):
        color = self.cleaned_data["brand_color"]
        if not (len(color) == 7 and color.startswith("#") and all(c in "0123456789abcdefABCDEF" for c in color[1:])):
            raise forms.ValidationError(_("Use a colour like #4f46e5."))
        return color

    def _clean_schedule(self, data):
        if data.get("trigger") == TriggerType.EVENT and not data.get("trigger_event"):
            self.add_error("trigger_event", _("Name the usage event that triggers the survey."))
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] <= data["starts_at"]:
            self.add_error("ends_at", _("The end must come after the start."))

    def save(self, commit=True):
        survey = super().save(commit=False)
        survey.segments = [s.strip() for s in self.cleaned_data.get("segments_text", "").split(",") if s.strip()]
        survey.tiers = list(self.cleaned_data.get("tiers") or [])
        survey.follow_ups = self.cleaned_data.get("follow_ups_text") or []
        survey.translations = {
            lang: {
                key: self.cleaned_data[f"t_{lang}_{key}"].strip()
                for key in TEXT_KEYS
                if self.cleaned_data.get(f"t_{lang}_{key}", "").strip()
            }
            for lang in LANGUAGES
        }
        for lang, questions in self._follow_up_translations(survey.follow_ups).items():
            if lang != survey.default_language:
                survey.translations.setdefault(lang, {})["follow_ups"] = questions
        survey.translations = {k: v for k, v in survey.translations.items() if v}
        if commit:
            survey.save()
            self.save_m2m()
        return survey


class WorkspaceForm(forms.ModelForm):
    class Meta:
        model = SurveyWorkspace
        fields = ["name", "allowed_origins"]
        widgets = {"allowed_origins": forms.Textarea(attrs={"rows": 3})}
        labels = {"name": gettext_lazy("Name"), "allowed_origins": gettext_lazy("Allowed origins")}

    def clean_allowed_origins(self):
        lines = [line.strip() for line in self.cleaned_data["allowed_origins"].splitlines() if line.strip()]
        bad = []
        for line in lines:
            parts = urlsplit(line)
            if parts.scheme.lower() not in ("http", "https") or not parts.netloc or parts.path not in ("", "/"):
                bad.append(line)
        if bad:
            raise forms.ValidationError(
                _("Not an origin (scheme://host[:port]): %(origins)s") % {"origins": ", ".join(bad)}
            )
        return "\n".join(normalize_origin(line) for line in lines)


# Section: the report

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ReportFilterForm(forms.Form):
    start = forms.DateField(required=False, widget=DATE_INPUT)
    end = forms.DateField(required=False, widget=DATE_INPUT, help_text=gettext_lazy("exclusive"))
    segment = forms.CharField(required=False, widget=forms.TextInput(attrs={"placeholder": gettext_lazy("Segment")}))
    tier = forms.ChoiceField(required=False, choices=[("", gettext_lazy("All tiers")), *Tier.choices])
    owner = forms.ModelChoiceField(required=False, queryset=None, empty_label=gettext_lazy("All CSMs"))
    kind = forms.ChoiceField(required=False, choices=[("", gettext_lazy("All kinds")), *SurveyKind.choices])
    q = forms.CharField(
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": gettext_lazy("Search comments…")}),
    )
    theme = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from accounts.models import Account
        from core.models import User

        # EXISTS per user (a few dozen index probes), not a join over every account and DISTINCT
        owns = Exists(Account.objects.filter(owner=OuterRef("pk")))
        self.fields["owner"].queryset = User.objects.filter(owns, is_active=True)
