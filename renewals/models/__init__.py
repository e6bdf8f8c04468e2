"""The renewals app's models, one module per idea, re-exported here."""

from .risks import ChurnReason, ReasonCode, ReasonPrompt, Risk

__all__ = ["ChurnReason", "ReasonCode", "ReasonPrompt", "Risk"]
