"""The renewals app's models, one module per idea, re-exported here."""

from .opportunities import BandRenewalRate, ForecastAccuracy, Opportunity, PipelineStage

__all__: list[str] = ["BandRenewalRate", "ForecastAccuracy", "Opportunity", "PipelineStage"]
