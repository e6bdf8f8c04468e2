"""Forms for the playbook builder, the templates and the inbox actions.

The builder's trigger parameters are generated from each trigger's `params` (one set of
fields per trigger type, shown for the selected type), so adding a trigger adds its fields."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.choices import LifecycleStage, Tier
from accounts.custom_fields import CUSTOM_FIELD_OPERATORS, custom_field_definitions
from accounts.custom_fields.lookups import OPERATOR_LABELS
from accounts.models import Account, Contact, Persona
from accounts.saved_views import SavedView
from core.models import User

from .actions import ACTIONS, action_type_choices
from .choices import ActionType, AssigneeRule, Priority, TriggerType
from .models import EmailTemplate, Playbook, TaskTemplate
from .selectors import task_workers
from .triggers import TRIGGERS

__all__ = [
    "ActionForm",
    "ActionFormSet",
    "BulkForm",
    "CompleteForm",
    "EmailTemplateForm",
    "PlaybookForm",
    "ReassignForm",
    "SnoozeForm",
    "TaskCreateForm",
    "TaskTemplateForm",
]


def param_field_name(trigger_type: str, name: str) -> str:
    return f"p_{trigger_type}__{name}"


def _param_field(param):
    common = {"label": param.label, "required": False, "help_text": param.help}
    if param.kind == "int":
        return forms.IntegerField(min_value=param.min, max_value=param.max, initial=param.default, **common)
    if param.kind == "choice":
        return forms.ChoiceField(choices=param.choices, initial=param.default, **common)
    return forms.CharField(max_length=128, initial=param.default, **common)


def custom_field_condition_choices() -> list:
    """One option per (filterable account custom field, operator fitting its type), grouped by field."""
    choices: list = [("", _("No custom field condition"))]
    for definition in custom_field_definitions(entity="account"):
        if not definition.filterable:
            continue
        ops = [
            (f"{definition.key}:{op}", f"{definition.label} {OPERATOR_LABELS[op]}")
            for op in CUSTOM_FIELD_OPERATORS[definition.field_type]
        ]
        choices.append((definition.label, ops))
    return choices


class PlaybookForm(forms.ModelForm):
    tiers = forms.MultipleChoiceField(
        label=_("Tier"), choices=Tier.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    segments = forms.CharField(
        label=_("Segments"), required=False, help_text=_("Comma-separated segment names; empty = any.")
    )
    lifecycle_stages = forms.MultipleChoiceField(
        choices=LifecycleStage.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Lifecycle stages"),
        help_text=_("Churned accounts are left out unless you tick Churned (a win-back playbook)."),
    )
    personas = forms.ModelMultipleChoiceField(
        queryset=Persona.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Persona"),
        help_text=_("Accounts with a contact of one of these personas."),
    )
    arr_min = forms.DecimalField(required=False, min_value=0, label=_("ARR at least"))
    arr_max = forms.DecimalField(required=False, min_value=0, label=_("ARR at most"))
    in_view = forms.ModelChoiceField(
        queryset=SavedView.objects.none(),
        required=False,
        label=_("In the saved view"),
        empty_label=_("Any account"),
        help_text=_("A shared view of the portfolio as the audience: only its accounts enrol."),
    )
    cf_condition = forms.ChoiceField(
        required=False,
        label=_("Custom field"),
        help_text=_("A custom field and an operator that fits its type."),
    )
    cf_value = forms.CharField(required=False, max_length=200, label=_("Value"))

    class Meta:
        model = Playbook
        fields = ["name", "description", "trigger_type", "cooldown_days", "max_enrolments", "enabled"]
        labels = {
            "name": _("Name"),
            "description": _("Description"),
            "trigger_type": _("Trigger"),
            "cooldown_days": _("Cooldown (days)"),
            "max_enrolments": _("Re-enrolment cap"),
            "enabled": _("Enabled"),
        }
        help_texts = {
            "cooldown_days": _("After an account enrols, it cannot enrol again for this many days."),
            "max_enrolments": _("Re-enrolment cap: at most this many enrolments per account (empty: no cap)."),
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["trigger_type"].widget.attrs["data-trigger-select"] = "1"
        instance = self.instance
        for trigger_type, trigger in TRIGGERS.items():
            current = instance.trigger_params if instance.pk and instance.trigger_type == trigger_type else {}
            for param in trigger.params:
                field = _param_field(param)
                if param.name in current:
                    field.initial = current[param.name]
                field.widget.attrs["data-trigger"] = trigger_type
                self.fields[param_field_name(trigger_type, param.name)] = field
        conditions = instance.conditions or {}
        self.fields["tiers"].initial = conditions.get("tiers", [])
        self.fields["segments"].initial = ", ".join(conditions.get("segments", []))
        self.fields["lifecycle_stages"].initial = conditions.get("lifecycle_stages", [])
        self.fields["personas"].initial = conditions.get("personas", [])
        self.fields["arr_min"].initial = conditions.get("arr_min")
        self.fields["arr_max"].initial = conditions.get("arr_max")
        self.fields["in_view"].queryset = SavedView.objects.filter(shared=True).order_by("name")
        self.fields["in_view"].initial = conditions.get("in_view")
        self.fields["cf_condition"].choices = custom_field_condition_choices()
        rows = conditions.get("custom_fields") or []
        if rows:
            self.fields["cf_condition"].initial = f"{rows[0]['key']}:{rows[0]['op']}"
            value = rows[0].get("value")
            self.fields["cf_value"].initial = ", ".join(map(str, value)) if isinstance(value, list) else value

    def param_fields(self):
        """[(trigger_type, label, [bound fields])] for the template."""
        out = []
        for trigger_type, trigger in TRIGGERS.items():
            out.append(
                (trigger_type, trigger.label, [self[param_field_name(trigger_type, p.name)] for p in trigger.params])
            )
        return out

    def trigger_params(self) -> dict:
        trigger_type = self.cleaned_data.get("trigger_type")
        if trigger_type not in TRIGGERS:
            return {}
        params = {}
        for param in TRIGGERS[trigger_type].params:
            value = self.cleaned_data.get(param_field_name(trigger_type, param.name))
            if value not in (None, ""):
                params[param.name] = value
        return params

    def conditions(self) -> dict:
        data = self.cleaned_data
        conditions: dict = {}
        if data.get("tiers"):
            conditions["tiers"] = list(data["tiers"])
        segments = [s.strip() for s in (data.get("segments") or "").split(",") if s.strip()]
        if segments:
            conditions["segments"] = segments
        if data.get("lifecycle_stages"):
            conditions["lifecycle_stages"] = list(data["lifecycle_stages"])
        if data.get("personas"):
            conditions["personas"] = [p.pk for p in data["personas"]]
        for key in ("arr_min", "arr_max"):
            if data.get(key) is not None:
                conditions[key] = float(data[key])
        if data.get("in_view"):
            conditions["in_view"] = data["in_view"].pk
        if data.get("cf_condition"):
            key, op = data["cf_condition"].split(":", 1)
            value = data.get("cf_value") or None
            if op in ("in", "not_in", "has_any", "has_all") and value:
                value = [v.strip() for v in value.split(",") if v.strip()]
            conditions["custom_fields"] = [{"key": key, "op": op, "value": value}]
        return conditions

    def clean(self):
        cleaned = super().clean()
        trigger_type = cleaned.get("trigger_type")
        if trigger_type in TRIGGERS:
            for name, message in TRIGGERS[trigger_type].validate(self.trigger_params()).items():
                field = param_field_name(trigger_type, name)
                self.add_error(field if field in self.fields else None, message)
        if cleaned.get("cf_condition"):
            from .conditions import conditions_validate

            rows = self.conditions().get("custom_fields", [])
            for message in conditions_validate({"custom_fields": rows}).values():
                self.add_error("cf_value", message)
        return cleaned

    def _post_clean(self):
        # The model's clean() validates params/conditions/actions through playbook_save;
        # here only the plain fields are checked.
        pass


def _optional_model_choice(queryset, label):
    return forms.ModelChoiceField(queryset=queryset, required=False, label=label)


class ActionForm(forms.Form):
    type = forms.ChoiceField(label=_("Action"), choices=[("", "—")], required=False)
    task_template = _optional_model_choice(TaskTemplate.objects.all(), _("Task template"))
    email_template = _optional_model_choice(EmailTemplate.objects.all(), _("Email template"))
    require_approval = forms.BooleanField(required=False, label=_("Hold for the CSM's approval"))
    max_contacts = forms.IntegerField(required=False, min_value=1, max_value=50, initial=3, label=_("Up to (contacts)"))
    url = forms.URLField(required=False, label=_("URL"), max_length=500)
    text = forms.CharField(required=False, label=_("Slack text"), max_length=500)
    stage = forms.ChoiceField(label=_("Stage"), choices=[("", "—")] + list(LifecycleStage.choices), required=False)
    survey = forms.IntegerField(label=_("Survey"), required=False, widget=forms.Select)
    checklist_template = forms.IntegerField(required=False, widget=forms.Select, label=_("Checklist"))
    success_map = forms.IntegerField(required=False, widget=forms.Select, label=_("Success map"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = [("", "—")] + action_type_choices()
        # One select per setting of each registered action (e.g. renewals' "open a risk").
        self.registered_fields: list[tuple[str, str]] = []
        for registered in ACTIONS.values():
            for param in registered.params:
                name = f"{registered.key}__{param.name}"
                self.fields[name] = forms.ChoiceField(
                    choices=[("", "—")] + [(str(v), str(label)) for v, label in param.choices()],
                    required=False,
                    label=param.label,
                )
                self.registered_fields.append((registered.key, name))
        self.fields["survey"].widget.choices = [("", "—")] + _survey_choices()
        self.fields["checklist_template"].widget.choices = [("", _("By the account's tier"))] + _checklist_choices()
        self.fields["success_map"].widget.choices = [("", "—")] + _map_choices()

    @property
    def registered_bound_fields(self) -> list:
        """[(action key, bound field)] for the builder's rows of registered actions."""
        return [(key, self[name]) for key, name in self.registered_fields]

    def to_action(self) -> dict | None:
        data = self.cleaned_data
        kind = data.get("type")
        if not kind or data.get("DELETE"):
            return None
        if kind in ACTIONS:
            return {"type": kind, **{p.name: data.get(f"{kind}__{p.name}") or None for p in ACTIONS[kind].params}}
        if kind == ActionType.TASK:
            return {"type": kind, "template": data["task_template"].pk if data.get("task_template") else None}
        if kind == ActionType.EMAIL:
            return {
                "type": kind,
                "template": data["email_template"].pk if data.get("email_template") else None,
                "require_approval": bool(data.get("require_approval")),
                "max_contacts": data.get("max_contacts") or 3,
            }
        if kind in (ActionType.WEBHOOK, ActionType.SLACK):
            action = {"type": kind, "url": data.get("url") or ""}
            if kind == ActionType.SLACK and data.get("text"):
                action["text"] = data["text"]
            return action
        if kind == ActionType.LIFECYCLE:
            return {"type": kind, "stage": data.get("stage")}
        if kind == ActionType.SURVEY:
            return {"type": kind, "survey": data.get("survey"), "max_contacts": data.get("max_contacts") or 3}
        if kind == ActionType.CHECKLIST:
            return {"type": kind, "template": data.get("checklist_template")}
        return {"type": kind, "success_map": data.get("success_map")}

    @staticmethod
    def initial_for(action: dict) -> dict:
        kind = action.get("type")
        initial = {"type": kind}
        if kind in ACTIONS:
            initial.update({f"{kind}__{p.name}": action.get(p.name) for p in ACTIONS[kind].params})
        elif kind == ActionType.TASK:
            initial["task_template"] = action.get("template")
        elif kind == ActionType.EMAIL:
            initial.update(
                email_template=action.get("template"),
                require_approval=action.get("require_approval"),
                max_contacts=action.get("max_contacts"),
            )
        elif kind in (ActionType.WEBHOOK, ActionType.SLACK):
            initial.update(url=action.get("url"), text=action.get("text", ""))
        elif kind == ActionType.LIFECYCLE:
            initial["stage"] = action.get("stage")
        elif kind == ActionType.SURVEY:
            initial.update(survey=action.get("survey"), max_contacts=action.get("max_contacts"))
        elif kind == ActionType.CHECKLIST:
            initial["checklist_template"] = action.get("template")
        elif kind == ActionType.SUCCESS_PLAN:
            initial["success_map"] = action.get("success_map")
        return initial


def _survey_choices():
    try:
        from surveys.models import Survey
    except ImportError:
        return []
    return [(s.pk, s.name) for s in Survey.objects.order_by("name")]


def _checklist_choices():
    from onboarding.models import ChecklistTemplate

    return [(t.pk, t.name) for t in ChecklistTemplate.objects.order_by("name")]


def _map_choices():
    from onboarding.models import SuccessMap

    return [(m.pk, m.name) for m in SuccessMap.objects.order_by("name")]


ActionFormSet = forms.formset_factory(ActionForm, extra=1, max_num=8, can_delete=True)


class TaskTemplateForm(forms.ModelForm):
    class Meta:
        model = TaskTemplate
        fields = ["name", "title", "body", "priority", "due_in_days", "assignee_rule", "assignee_user"]
        labels = {
            "name": _("Name"),
            "title": _("Title"),
            "body": _("Body"),
            "priority": _("Priority"),
            "due_in_days": _("Due in (days)"),
            "assignee_rule": _("Assignee rule"),
            "assignee_user": _("Assignee"),
        }
        widgets = {"body": forms.Textarea(attrs={"rows": 4})}
        help_texts = {
            "title": _("Django template: {{ account.name }}, {{ reason }}, {{ playbook.name }}."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee_user"].queryset = task_workers()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("assignee_rule") == AssigneeRule.USER and not cleaned.get("assignee_user"):
            self.add_error("assignee_user", _("Choose the user for ‘a named user’."))
        return cleaned


class EmailTemplateForm(forms.ModelForm):
    class Meta:
        model = EmailTemplate
        fields = ["name", "subject", "body"]
        labels = {"name": _("Name"), "subject": _("Subject"), "body": _("Body")}
        widgets = {"body": forms.Textarea(attrs={"rows": 8})}
        help_texts = {
            "body": _("Django template: {{ contact.name }}, {{ account.name }}, {{ csm.first_name }}, {{ reason }}.")
        }


class CadenceForm(forms.Form):
    """One 'every N days' field per tier."""

    def __init__(self, *args, days_by_tier: dict[str, int], **kwargs):
        super().__init__(*args, **kwargs)
        for tier, label in Tier.choices:
            self.fields[tier] = forms.IntegerField(
                label=label, min_value=1, max_value=365, initial=days_by_tier.get(tier), help_text=_("days")
            )


class CompleteForm(forms.Form):
    outcome_note = forms.CharField(label=_("Outcome note"), widget=forms.Textarea(attrs={"rows": 2}), max_length=5000)


SNOOZE_CHOICES = [("1", _("Tomorrow")), ("3", _("3 days")), ("7", _("A week")), ("14", _("Two weeks"))]


class SnoozeForm(forms.Form):
    days = forms.TypedChoiceField(label=_("Snooze for"), choices=SNOOZE_CHOICES, coerce=int)

    @property
    def until(self):
        return timezone.now().date() + timedelta(days=self.cleaned_data["days"])


class ReassignForm(forms.Form):
    assignee = forms.ModelChoiceField(label=_("Reassign to"), queryset=User.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = task_workers()


class BulkForm(forms.Form):
    ACTIONS = [("complete", _("Complete")), ("snooze", _("Snooze")), ("reassign", _("Reassign"))]

    task_ids = forms.TypedMultipleChoiceField(
        coerce=int,
        choices=[],
        error_messages={
            "required": _("Tick at least one task below."),
            "invalid_choice": _("A ticked task is no longer open: reload the inbox."),
        },
    )
    action = forms.ChoiceField(choices=ACTIONS)
    outcome_note = forms.CharField(required=False, max_length=5000)
    days = forms.TypedChoiceField(choices=SNOOZE_CHOICES, coerce=int, required=False)
    assignee = forms.ModelChoiceField(queryset=User.objects.none(), required=False)

    def __init__(self, *args, task_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["task_ids"].choices = [(i, i) for i in task_choices]
        self.fields["assignee"].queryset = task_workers()

    def clean(self):
        cleaned = super().clean()
        action = cleaned.get("action")
        if action == "complete" and not (cleaned.get("outcome_note") or "").strip():
            self.add_error("outcome_note", _("Say what happened (it goes on each account's timeline)."))
        if action == "snooze" and not cleaned.get("days"):
            self.add_error("days", _("Choose how long."))
        if action == "reassign" and not cleaned.get("assignee"):
            self.add_error("assignee", _("Choose someone."))
        return cleaned


def validation_error_messages(exc: ValidationError) -> dict[str, list[str]]:
    return exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}


TRIGGER_CHOICES = TriggerType.choices


class TaskCreateForm(forms.Form):
    """A task added by hand: the account (picked from a search, or fixed on the account page),
    what to do, how urgent, when, for whom (default: me; anyone who works tasks, as reassign)."""

    account = forms.ModelChoiceField(
        queryset=Account.objects.all(),
        label=_("Account"),
        error_messages={"required": _("Choose an account."), "invalid_choice": _("That account does not exist.")},
        widget=forms.HiddenInput,
    )
    title = forms.CharField(max_length=255, label=_("Title"), error_messages={"required": _("Say what needs doing.")})
    body = forms.CharField(
        required=False, max_length=5000, label=_("Description"), widget=forms.Textarea(attrs={"rows": 3})
    )
    priority = forms.TypedChoiceField(
        choices=Priority.choices, coerce=int, initial=Priority.NORMAL, label=_("Priority")
    )
    due_date = forms.DateField(
        label=_("Due"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": _("Choose a due date."), "invalid": _("Enter a date as YYYY-MM-DD.")},
    )
    assignee = forms.ModelChoiceField(
        queryset=User.objects.none(),
        required=False,
        label=_("Assignee"),
        error_messages={"invalid_choice": _("Assign to an active CSM, manager or admin.")},
    )
    # the person the task is about (from the person page): its signal names them
    contact = forms.ModelChoiceField(
        queryset=Contact.objects.all(),
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": _("That contact does not exist.")},
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = task_workers()
        self.fields["assignee"].empty_label = None
        if user is not None and not self.is_bound:
            self.initial.setdefault("assignee", user.pk)
        self.initial.setdefault("due_date", timezone.now().date() + timedelta(days=1))
        for name in ("title", "body", "priority", "due_date", "assignee"):
            self.fields[name].widget.attrs.setdefault("id", f"task-new-{name}")
