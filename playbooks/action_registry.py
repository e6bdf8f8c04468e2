"""The registry of playbook actions that apps above playbooks own (renewals: "open a risk"): each
app registers its `RegisteredAction` from its `AppConfig.ready()`; playbooks.actions validates,
describes and runs them beside the built-in ones (re-exported there)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .choices import ActionType

__all__ = ["ACTIONS", "ActionParam", "RegisteredAction", "action_type_choices", "register_action"]


@dataclass(frozen=True)
class ActionParam:
    """One setting of a registered action in the builder: a choice from `choices()`."""

    name: str
    label: str
    choices: Callable[[], list[tuple[str, str]]]
    required: bool = True


@dataclass(frozen=True)
class RegisteredAction:
    """An action an upper app adds. `execute(*, playbook, step, action, enrolments, accounts, ctx,
    outcomes)` runs for a chunk of enrolments (in bulk, appending one line per enrolment to
    `outcomes[enrolment.pk]`); `validate(action)` returns {param: reason}; `describe(action)`
    is the builder's one line."""

    key: str
    label: str
    execute: Callable[..., None]
    describe: Callable[[dict], str]
    params: tuple[ActionParam, ...] = ()
    validate: Callable[[dict], dict[str, str]] | None = None  # beyond each param's choices


ACTIONS: dict[str, RegisteredAction] = {}


def register_action(action: RegisteredAction) -> None:
    if action.key in ActionType.values:
        raise ValueError(f"{action.key!r} is a built-in action")
    ACTIONS[action.key] = action


def action_type_choices() -> list[tuple[str, str]]:
    """The built-in action types, then the registered ones (for the builder's select)."""
    return list(ActionType.choices) + [(a.key, str(a.label)) for a in ACTIONS.values()]
