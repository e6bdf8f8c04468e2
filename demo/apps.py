from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The top floor: demo data (`seed_demo`, `demo_logins`) and the demo host page. It may import
    every app; no app imports it (only bench/ and tests)."""

    name = "demo"
    verbose_name = "Demo data"
