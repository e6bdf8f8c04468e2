"""Survey pages: widget endpoints (public, CORS), public email/link pages, the admin builder,
reports and the demo host page. One module per audience."""
