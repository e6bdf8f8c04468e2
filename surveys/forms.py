from urllib.parse import urlsplit

from django import forms

from accounts.choices import Tier

from .choices import LANGUAGES, QuestionType, TriggerType
from .models import Survey, SurveyWorkspace, normalize_origin
from .wording import TEXT_KEYS, default_texts

TEXT_LABELS = {
    "question": "Question",
    "comment_label": "“Why?” prompt",
    "placeholder": "Comment placeholder",
    "submit": "Send button",
    "dismiss": "Close button",
    "low_label": "Low end label",
    "high_label": "High end label",
    "thanks_unhappy": "Thank-you: detractor / low",
    "thanks_neutral": "Thank-you: passive / neutral",
    "thanks_happy": "Thank-you: promoter / high",
}


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
        label="Segments", required=False, help_text="Comma-separated account segments; empty = every segment."
    )
    tiers = forms.MultipleChoiceField(
        choices=Tier.choices, required=False, widget=forms.CheckboxSelectMultiple, help_text="None ticked = every tier."
    )
    follow_ups_text = forms.CharField(
        label="Follow-up questions",
        required=False,
        widget=forms.Textarea(
            attrs={"rows": 4, "placeholder": "single | What do you use most? | Reports; Dashboards; API"}
        ),
        help_text="One per line: `text | label`, `single | label | a; b; c` or `multiple | label | a; b; c`.",
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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        survey = self.instance
        self.fields["segments_text"].initial = ", ".join(survey.segments or [])
        self.fields["tiers"].initial = survey.tiers or []
        self.fields["follow_ups_text"].initial = follow_ups_text(survey.follow_ups)
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

    def _bound(self, names):
        return [self[name] for name in names]

    def basic_fields(self):
        return self._bound(["name", "kind", "status", "workspace", "default_language", "brand_color", "logo_url"])

    def trigger_fields(self):
        return self._bound(["trigger", "trigger_event", "trigger_days", "delay_seconds"])

    def schedule_fields(self):
        return self._bound(["starts_at", "ends_at", "drip_per_day"])

    def language_groups(self):
        return [(code, name, [self[f"t_{code}_{key}"] for key in TEXT_KEYS]) for code, name in LANGUAGES.items()]

    def clean_follow_ups_text(self):
        return parse_follow_ups(self.cleaned_data.get("follow_ups_text", ""))

    def clean_brand_color(self):
        color = self.cleaned_data["brand_color"]
        if not (len(color) == 7 and color.startswith("#") and all(c in "0123456789abcdefABCDEF" for c in color[1:])):
            raise forms.ValidationError("Use a colour like #4f46e5.")
        return color

    def clean(self):
        data = super().clean()
        if data.get("trigger") == TriggerType.EVENT and not data.get("trigger_event"):
            self.add_error("trigger_event", "Name the usage event that triggers the survey.")
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] <= data["starts_at"]:
            self.add_error("ends_at", "The end must come after the start.")
        return data

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

    def clean_allowed_origins(self):
        lines = [line.strip() for line in self.cleaned_data["allowed_origins"].splitlines() if line.strip()]
        bad = []
        for line in lines:
            parts = urlsplit(line)
            if parts.scheme.lower() not in ("http", "https") or not parts.netloc or parts.path not in ("", "/"):
                bad.append(line)
        if bad:
            raise forms.ValidationError(f"Not an origin (scheme://host[:port]): {', '.join(bad)}")
        return "\n".join(normalize_origin(line) for line in lines)


class SendForm(forms.Form):
    confirm = forms.BooleanField(required=True, label="Email every contact in the audience the fatigue budget allows")
