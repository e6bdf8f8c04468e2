"""The registry of trigger types: each family module registers its triggers with `@register`
(playbooks/triggers/__init__.py imports them all, in the order the builder lists them)."""

from __future__ import annotations

from .base import Trigger

__all__ = ["TRIGGERS", "get_trigger", "register", "triggers_for_event"]

TRIGGERS: dict[str, Trigger] = {}


def register(cls):
    TRIGGERS[cls.type] = cls()
    return cls


def get_trigger(trigger_type: str) -> Trigger:
    return TRIGGERS[trigger_type]


def triggers_for_event(event: str) -> list[str]:
    return [t.type for t in TRIGGERS.values() if event in t.events]
