"""Our side of a sync: one writer per kind of record a vendor object becomes (accounts,
contacts, opportunities, owners → users). A vendor object names its target by key; a new
target registers with `register_target(Target(key=, write=, finish=))`."""

from . import accounts, contacts, opportunities, owners  # noqa: F401  (they register)
from .base import TARGETS, PageContext, Target, mapped_values, register_target, target_get

__all__ = ["TARGETS", "PageContext", "Target", "mapped_values", "register_target", "target_get"]
