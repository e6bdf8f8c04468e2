"""Set up and change the test provider's database from the test process:

python -m tests.core.identity.oidc_provider.manage setup <redirect_uri> <client_id> <client_secret>
python -m tests.core.identity.oidc_provider.manage person <username> <email> <password> [group ...]
"""

import os
import sys

import django


def main(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.core.identity.oidc_provider.settings")
    django.setup()
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
    from oauth2_provider.models import Application

    command, *args = argv
    if command == "setup":
        redirect_uri, client_id, client_secret = args
        call_command("migrate", verbosity=0)
        Application.objects.update_or_create(
            client_id=client_id,
            defaults={
                "name": "Pulse CS",
                "client_secret": client_secret,
                "client_type": Application.CLIENT_CONFIDENTIAL,
                "authorization_grant_type": Application.GRANT_AUTHORIZATION_CODE,
                "redirect_uris": redirect_uri,
                "algorithm": Application.RS256_ALGORITHM,
                "skip_authorization": True,
            },
        )
    elif command == "person":
        username, email, password, *groups = args
        user, _created = User.objects.get_or_create(username=username)
        user.email = email
        user.first_name, _, user.last_name = username.capitalize().partition(" ")
        user.set_password(password)
        user.save()
        user.groups.set([Group.objects.get_or_create(name=name)[0] for name in groups])
    else:
        raise SystemExit(f"unknown command {command!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
