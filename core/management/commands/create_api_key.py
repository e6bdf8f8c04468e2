from django.core.management.base import BaseCommand, CommandError

from core.choices import APIKeyScope
from core.services import api_key_create


class Command(BaseCommand):
    help = "Create an API key and print it on the last line (it is shown only this once)."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True)
        parser.add_argument("--scope", required=True, choices=APIKeyScope.values)

    def handle(self, *args, name: str, scope: str, **options):
        try:
            key, raw = api_key_create(name=name, scope=scope)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Created API key '{key.name}' with scope {key.scope}. Store it now; it is not shown again.")
        self.stdout.write(raw)
