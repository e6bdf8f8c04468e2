"""News from surveys for the floors above (playbooks listens to close the loop)."""

from django.dispatch import Signal

# response_id, account_id, contact_id, kind ("nps" | "csat" | "ces"), score, category
# ("detractor" | "passive" | "promoter" for NPS; "low" | "neutral" | "high" for CSAT/CES)
response_recorded = Signal()
