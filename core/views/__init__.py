"""Browser views of the core floor and the view toolkit every app builds its pages from.

`from core.views import ObjectListView, ServiceFormView, ActionView, htmx_partial, safe_next`.
"""

from .toolkit import (
    ActionView,
    ObjectListView,
    ServiceFormView,
    apply_validation_error,
    htmx_partial,
    partial,
    safe_next,
    with_trigger,
)

__all__ = [
    "ActionView",
    "ObjectListView",
    "ServiceFormView",
    "apply_validation_error",
    "htmx_partial",
    "partial",
    "safe_next",
    "with_trigger",
]
