"""`demo_logins`: print the demo team's logins (made by seed_demo)."""

from django.core.management.base import BaseCommand

from core.models import User
from demo.accounts.team import DEMO_PASSWORD, TEAM


class Command(BaseCommand):
    help = "Print the demo logins created by seed_demo."

    def handle(self, *args, **options):
        users = {u.username: u for u in User.objects.filter(username__in=[t[0] for t in TEAM])}
        if not users:
            self.stdout.write("No demo users yet: run `manage.py seed_demo` first.")
            return
        width = max(len(name) for name in users) + 2
        line = "-" * 64
        self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS(f"  Demo logins (password for all: {DEMO_PASSWORD})"))
        self.stdout.write(line)
        for username, first, last, _role, title, _manager in TEAM:
            user = users.get(username)
            if user is None or not user.is_active:
                continue
            self.stdout.write(f"  {username:<{width}}{user.get_role_display():<11}{first} {last}, {title}")
        self.stdout.write(line)
