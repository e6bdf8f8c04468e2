"""A real OpenID Connect provider for the SSO tests: a tiny Django project serving
django-oauth-toolkit with OIDC on (RS256 key made by the test), started by
`tests/core/identity/oidc_server.py` under gunicorn on a free port. Its people and their groups
are in its own SQLite file; `python -m tests.core.identity.oidc_provider.manage` changes them."""
