"""`manage.py connector_add --kind hubspot --name "HubSpot" --token pat-...`: a connection with a
private-app or API token (the base URL defaults to the vendor's). `--option key=value` sets a
vendor option (JSON values allowed), e.g. `--option pipeline=default`."""

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from connectors.registry import VENDORS
from connectors.services import connection_create


class Command(BaseCommand):
    help = "Add a connection to a CRM or help desk with a token."

    def add_arguments(self, parser):
        parser.add_argument("--kind", required=True, help=f"one of: {', '.join(sorted(VENDORS))}")
        parser.add_argument("--name", required=True)
        parser.add_argument("--base-url", default="", help="the vendor's API URL (default: the vendor's own)")
        parser.add_argument("--token", required=True, help="a private-app or API token")
        parser.add_argument("--option", action="append", default=[], metavar="KEY=VALUE")

    def handle(self, *args, **opts):
        options = {}
        for item in opts["option"]:
            key, sep, value = item.partition("=")
            if not sep or not key:
                raise CommandError(f"--option {item!r}: write KEY=VALUE")
            try:
                options[key] = json.loads(value)
            except ValueError:
                options[key] = value
        try:
            connection = connection_create(
                kind=opts["kind"], name=opts["name"], base_url=opts["base_url"], token=opts["token"], options=options
            )
        except ValidationError as exc:
            raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())) from None
        self.stdout.write(
            f"Added {connection.kind} connection {connection.name!r} ({connection.base_url}), id {connection.pk}"
        )
