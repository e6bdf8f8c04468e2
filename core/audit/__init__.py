"""The audit trail: who, when, what (before and after), from where, for every configuration
change, role and user change, API key, export, deletion and sign-in. Append-only.

- `register_audited_model(label, exclude=, redact=, actions=)` in an app's `ready()`
- `audit_record(action=, instance=, ...)` for what is not a model save (exports, sign-ins)
- `AuditContextMiddleware` gives the recorder the request (actor, address, path)
"""

from .context import AuditContextMiddleware, current_request
from .recorder import audit_record
from .registry import AuditedModel, audited_models, register_audited_model

__all__ = [
    "AuditContextMiddleware",
    "AuditedModel",
    "audit_record",
    "audited_models",
    "current_request",
    "register_audited_model",
]
