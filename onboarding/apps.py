"""Success maps, success plans and onboarding checklists.

DESIGN.md places these under playbooks; they are their own app, one floor below playbooks
(above surveys), because they are a domain with its own lifecycle (versioned maps, plans
shared with customers, checklists with time to first value) that playbooks acts on
("onboarding stalled" triggers, "start a plan" actions) but that must not depend on playbooks.
"""

from django.apps import AppConfig


class OnboardingConfig(AppConfig):
    name = "onboarding"
    verbose_name = "Success plans and onboarding"

    def ready(self) -> None:
        from health.registry import register_measure

        from . import panels, signals  # noqa: F401  (panels and receivers register themselves)
        from .metrics import ONBOARDING_PROGRESS_MEASURE

        register_measure(ONBOARDING_PROGRESS_MEASURE)
