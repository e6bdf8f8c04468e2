"""Survey pages: widget endpoints (public, CORS), public email/link pages, the admin builder,
and reports. One module per audience (the demo host page is in demo.views)."""
