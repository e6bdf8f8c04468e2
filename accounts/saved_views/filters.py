"""The account's own view filters (registered in AccountsConfig.ready()): tier, segment,
stage, industry, owner, account team member (on the team or the owner), parent, ARR, renewal
window, health score and band (denormalised on the account), last touch, and one filter per
custom field (a source: they are data)."""

from __future__ import annotations

from datetime import timedelta
from functools import partial

from django.core.cache import cache
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.choices import Role

from ..choices import HealthBand, LifecycleStage, Tier
from ..custom_fields import (
    CUSTOM_FIELD_OPERATORS,
    CustomFieldType,
    custom_field_definitions,
    custom_field_q,
    custom_field_q_validate,
)
from ..custom_fields.lookups import OPERATOR_LABELS as CF_OPERATOR_LABELS
from ..filters import segment_choices
from ..models import Account, AccountTeamMember
from .registry import ViewFilter, register_view_filter, register_view_filter_source

__all__ = ["custom_field_view_filters", "register_account_view_filters"]

ACCOUNT = gettext_lazy("Account")
REVENUE = gettext_lazy("Revenue and renewal")
HEALTH = gettext_lazy("Health")
CUSTOM = gettext_lazy("Custom fields")


def _today():
    return timezone.localdate()


def _choice(field: str):
    def apply(op, value, *, user):
        q = Q(**{f"{field}__in": value})
        return ~q if op == "not_in" else q

    return apply


def _industry_choices() -> list[tuple[str, str]]:
    industries = cache.get("accounts:industries:v1")
    if industries is None:
        industries = sorted(i for i in Account.objects.order_by().values_list("industry", flat=True).distinct() if i)
        cache.set("accounts:industries:v1", industries, 300)
    return [(i, i) for i in industries]


def _owner_choices() -> list[tuple[str, str]]:
    from core.models import User

    owners = User.objects.filter(is_active=True, role__in=[Role.CSM, Role.MANAGER, Role.ADMIN]).order_by("first_name")
    return [("me", _("Me")), ("none", _("Unassigned"))] + [(str(u.pk), u.get_full_name() or u.username) for u in owners]


def _owner(op, value, *, user):
    ids = [user.pk if v == "me" else int(v) for v in value if v != "none" and (v == "me" or str(v).isdigit())]
    q = Q(owner_id__in=ids)
    if "none" in value:
        q |= Q(owner__isnull=True)
    return ~q if op == "not_in" else q


def _team_member_choices() -> list[tuple[str, str]]:
    from core.models import User

    users = User.objects.filter(is_active=True).order_by("first_name", "username")
    return [("me", _("Me"))] + [(str(u.pk), u.get_full_name() or u.username) for u in users]


def _team_member_clean(op, value) -> list[str]:
    """ "me" or user ids, checked without a query: a view's query re-cleans its conditions, and
    an id of no (longer a) user simply matches nothing."""
    values = [str(v) for v in (value if isinstance(value, list) else [value]) if v not in (None, "")]
    if not values:
        raise ValueError(_("pick at least one value"))
    if bad := [v for v in values if v != "me" and not v.isdigit()]:
        raise ValueError(_("unknown value(s): %(values)s") % {"values": ", ".join(bad)})
    return values


def _team_member(op, value, *, user):
    """On the account's team (accounts.team_models.AccountTeamMember) or its owner: one Exists
    over the team index (user, account) beside the owner column, so still one query."""
    ids = [user.pk if v == "me" else int(v) for v in value]
    on_team = Exists(AccountTeamMember.objects.filter(account_id=OuterRef("pk"), user_id__in=ids))
    q = Q(on_team) | Q(owner_id__in=ids)
    return ~q if op == "not_in" else q


def _parent_clean(op, value):
    if op in ("has_parent", "no_parent"):
        return None
    if not isinstance(value, str) or not value.strip():
        raise ValueError(_("give the parent account's id"))
    return value.strip()


def _parent(op, value, *, user):
    if op == "has_parent":
        return Q(parent__isnull=False)
    if op == "no_parent":
        return Q(parent__isnull=True)
    return Q(parent__external_id=value)


def _arr(op, value, *, user):
    # ARR = 12 x MRR: compare on the indexed MRR column.
    if op == "between":
        return Q(mrr__gte=value[0] / 12, mrr__lte=value[1] / 12)
    return Q(**{f"mrr__{op}": value / 12})


def _renewal(op, value, *, user):
    today = _today()
    if op == "within":
        return Q(renewal_date__gte=today, renewal_date__lte=today + timedelta(days=value))
    return Q(renewal_date__gt=today + timedelta(days=value))


def _number_on(field: str):
    def apply(op, value, *, user):
        if op == "between":
            return Q(**{f"{field}__gte": value[0], f"{field}__lte": value[1]})
        return Q(**{f"{field}__{op}": value})

    return apply


def _last_touch(op, value, *, user):
    since = timezone.now() - timedelta(days=value)
    if op == "within":
        return Q(last_touch_at__gte=since)
    return Q(last_touch_at__lt=since) | Q(last_touch_at__isnull=True)


def register_account_view_filters() -> None:
    register_view_filter(
        "tier", gettext_lazy("Tier"), "choice", apply=_choice("tier"), choices=lambda: list(Tier.choices), group=ACCOUNT
    )
    register_view_filter(
        "segment", gettext_lazy("Segment"), "choice", apply=_choice("segment"), choices=segment_choices, group=ACCOUNT
    )
    register_view_filter(
        "stage",
        gettext_lazy("Lifecycle stage"),
        "choice",
        apply=_choice("lifecycle_stage"),
        choices=lambda: list(LifecycleStage.choices),
        group=ACCOUNT,
    )
    register_view_filter(
        "industry",
        gettext_lazy("Industry"),
        "choice",
        apply=_choice("industry"),
        choices=_industry_choices,
        group=ACCOUNT,
    )
    register_view_filter("owner", gettext_lazy("Owner"), "choice", apply=_owner, choices=_owner_choices, group=ACCOUNT)
    register_view_filter(
        "team_member",
        gettext_lazy("Account team member (or owner)"),
        "choice",
        apply=_team_member,
        clean=_team_member_clean,
        choices=_team_member_choices,
        group=ACCOUNT,
    )
    register_view_filter(
        "parent",
        gettext_lazy("Parent account"),
        "text",
        apply=_parent,
        clean=_parent_clean,
        operators=("eq", "has_parent", "no_parent"),
        operator_labels={
            "eq": gettext_lazy("is (account id)"),
            "has_parent": gettext_lazy("has a parent"),
            "no_parent": gettext_lazy("has no parent"),
        },
        group=ACCOUNT,
    )
    register_view_filter("arr", gettext_lazy("ARR"), "number", apply=_arr, group=REVENUE)
    register_view_filter(
        "renewal_days",
        gettext_lazy("Renewal"),
        "days",
        apply=_renewal,
        operator_labels={
            "within": gettext_lazy("within the next N days"),
            "more_than": gettext_lazy("more than N days away"),
        },
        group=REVENUE,
    )
    register_view_filter(
        "health_score", gettext_lazy("Health score"), "number", apply=_number_on("health_score"), group=HEALTH
    )
    register_view_filter(
        "health_band",
        gettext_lazy("Health band"),
        "choice",
        apply=_choice("health_band"),
        choices=lambda: list(HealthBand.choices),
        group=HEALTH,
    )
    register_view_filter(
        "last_touch_days",
        gettext_lazy("Last touch"),
        "days",
        apply=_last_touch,
        operator_labels={
            "within": gettext_lazy("within the last N days"),
            "more_than": gettext_lazy("more than N days ago (or never)"),
        },
        group=ACCOUNT,
    )
    register_view_filter_source(custom_field_view_filters)


_CF_KIND = {
    CustomFieldType.TEXT: "text",
    CustomFieldType.NUMBER: "number",
    CustomFieldType.MONEY: "number",
    CustomFieldType.DATE: "text",
    CustomFieldType.BOOLEAN: "boolean",
    CustomFieldType.CHOICE: "choice",
    CustomFieldType.USER: "choice",
    CustomFieldType.MULTI_CHOICE: "choice",
}


def custom_field_view_filters() -> list[ViewFilter]:
    """One filter per live filterable account custom field, key `cf.<key>`; the operators are
    the type's own (accounts.custom_fields.lookups)."""
    out = []
    for definition in custom_field_definitions(entity="account"):
        if not definition.filterable:
            continue

        def clean(op, value, definition=definition):
            return custom_field_q_validate(definition, op, value)

        def apply(op, value, *, user, definition=definition):
            return custom_field_q(definition, op, value)

        choices = None
        if definition.field_type in (CustomFieldType.CHOICE, CustomFieldType.MULTI_CHOICE):
            choices = partial(_definition_choices, definition)
        elif definition.field_type == CustomFieldType.USER:
            choices = _usernames
        out.append(
            ViewFilter(
                key=f"cf.{definition.key}",
                label=definition.label,
                kind=_CF_KIND[definition.field_type],
                apply=apply,
                operators=CUSTOM_FIELD_OPERATORS[definition.field_type],
                choices=choices,
                group=CUSTOM,
                clean=clean,
                operator_labels=dict(CF_OPERATOR_LABELS),
                input_type="date" if definition.field_type == CustomFieldType.DATE else "",
            )
        )
    return out


def _definition_choices(definition) -> list[tuple[str, str]]:
    return [(c, c) for c in definition.choices]


def _usernames() -> list[tuple[str, str]]:
    from core.models import User

    return [
        (u.username, u.get_full_name() or u.username) for u in User.objects.filter(is_active=True).order_by("username")
    ]
