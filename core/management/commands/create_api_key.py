from django.core.management.base import BaseCommand, CommandError

from core.choices import APIKeyScope
from core.models import User
from core.services import api_key_create


class Command(BaseCommand):
    help = (
        "Create an API key and print it on the last line (it is shown only this once). "
        "With --user, a personal token that acts as that user (role and book)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True)
        parser.add_argument("--scope", required=True, choices=APIKeyScope.values)
        parser.add_argument("--user", default="", help="Username: bind the key to this user (a personal token).")

    def handle(self, *args, name: str, scope: str, user: str = "", **options):
        owner = None
        if user:
            owner = User.objects.filter(username=user, is_active=True).first()
            if owner is None:
                raise CommandError(f"No active user {user!r}.")
        try:
            key, raw = api_key_create(name=name, scope=scope, user=owner)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        what = (
            f"personal token '{key.name}' for {owner.username}"
            if owner
            else f"API key '{key.name}' with scope {key.scope}"
        )
        self.stdout.write(f"Created {what}. Store it now; it is not shown again.")
        self.stdout.write(raw)
