"""The playbook action "open a risk", registered into playbooks' action registry from
RenewalsConfig.ready(): for each enrolled account, a risk record of the chosen type, reason and
severity, owned by the account's owner, ARR at risk = the account's ARR. Reruns while the
playbook's risk is live open nothing new (one live risk per account, playbook and type)."""

from __future__ import annotations

from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from playbooks.actions import ActionParam, RegisteredAction

from .choices import RiskSeverity, RiskType
from .models import ReasonCode

__all__ = ["OPEN_RISK", "open_risk_action"]

DUE_IN_DAYS = (3, 7, 14, 30, 60)


def _reason_choices() -> list[tuple[str, str]]:
    return [(str(pk), label) for pk, label in ReasonCode.objects.filter(archived=False).values_list("pk", "label")]


def _due_choices() -> list[tuple[str, str]]:
    return [(str(d), _("in %(days)s days") % {"days": d}) for d in DUE_IN_DAYS]


def _describe(action: dict) -> str:
    try:
        kind = RiskType(action.get("risk_type")).label
        severity = RiskSeverity(action.get("severity")).label
    except ValueError:
        return str(_("Open a risk"))
    text = _("Open a %(kind)s risk (%(severity)s), due in %(days)s days")
    return text % {"kind": str(kind).lower(), "severity": str(severity).lower(), "days": action.get("due_in_days")}


def _execute(*, playbook, step, action, enrolments, accounts, ctx, outcomes) -> None:
    from .services import risks_open_for_accounts

    reason_code = ReasonCode.objects.get(pk=int(action["reason_code"]))
    due_date = ctx.as_of + timedelta(days=int(action.get("due_in_days") or 14))
    opened = risks_open_for_accounts(
        accounts=[accounts[e.account_id] for e in enrolments],
        type=action["risk_type"],
        reason_code=reason_code,
        severity=action["severity"],
        due_date=due_date,
        playbook=playbook,
        reason={e.account_id: e.reason for e in enrolments},
    )
    for e in enrolments:
        risk = opened.get(e.account_id)
        if risk is None:
            outcomes[e.pk].append(f"risk not opened: this playbook's {action['risk_type']} risk is still open")
        else:
            outcomes[e.pk].append(
                f"risk #{risk.pk} opened ({risk.get_type_display()}, {reason_code.label}), due {due_date:%d %b}"
            )


def open_risk_action() -> RegisteredAction:
    return RegisteredAction(
        key="open_risk",
        label=_("Open a risk"),
        execute=_execute,
        describe=_describe,
        params=(
            ActionParam("risk_type", _("Risk type"), lambda: [(v, str(label)) for v, label in RiskType.choices]),
            ActionParam("severity", _("Severity"), lambda: [(v, str(label)) for v, label in RiskSeverity.choices]),
            ActionParam("reason_code", _("Reason"), _reason_choices),
            ActionParam("due_in_days", _("Due"), _due_choices),
        ),
    )


OPEN_RISK = "open_risk"
