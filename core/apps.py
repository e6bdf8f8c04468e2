"""The ground floor: the CS team's users and roles, API keys, and plumbing shared by every app
(login, navigation, list views, API authentication). It has no customer data; every other app
may import it, and it imports none of them."""

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Team and platform"
