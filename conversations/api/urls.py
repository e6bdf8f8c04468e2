"""Conversations has no REST API yet (its public endpoint, /inbound/email/<token>/, is in urls.py)."""

app_name = "conversations-api"

urlpatterns: list = []
