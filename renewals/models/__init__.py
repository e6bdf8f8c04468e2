"""The renewals app's models, one module per idea, re-exported here."""

from .opportunities import BandRenewalRate, ForecastAccuracy, Opportunity, PipelineStage
from .risks import ChurnReason, ReasonCode, ReasonPrompt, Risk

__all__ = [
    "BandRenewalRate",
    "ChurnReason",
    "ForecastAccuracy",
    "Opportunity",
    "PipelineStage",
    "ReasonCode",
    "ReasonPrompt",
    "Risk",
]
