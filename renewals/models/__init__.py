"""The renewals app's models, one module per idea, re-exported here."""

__all__: list[str] = []
