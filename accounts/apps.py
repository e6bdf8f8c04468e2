from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Customer accounts"

    def ready(self) -> None:
        from . import signals  # noqa: F401
        from .demo import accounts_step, register_demo_step

        # First of all demo steps: the floors above build on the accounts it creates.
        register_demo_step("accounts", accounts_step)
