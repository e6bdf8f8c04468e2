"""The demo's CS team: an admin, two managers, eight CSMs (enterprise pod: strategic and key
accounts; scale pod: standard and tech-touch), a read-only viewer; one password (DEMO_PASSWORD)."""

from django.contrib.auth.hashers import make_password

from core.choices import Role
from core.models import User

__all__ = ["DEMO_PASSWORD", "ENTERPRISE_POD", "SCALE_POD", "TEAM", "demo_team_ensure"]

DEMO_PASSWORD = "demo1234"

# (username, first, last, role, title, manager username)
TEAM = [
    ("admin", "Alex", "Morgan", Role.ADMIN, "Head of CS Operations", None),
    ("manager", "Priya", "Raman", Role.MANAGER, "Director, Enterprise CS", None),
    ("manager2", "Daniel", "Okafor", Role.MANAGER, "Manager, Scale CS", None),
    ("csm1", "Sofia", "Lindqvist", Role.CSM, "Senior CSM", "manager"),
    ("csm2", "Marcus", "Chen", Role.CSM, "Senior CSM", "manager"),
    ("csm3", "Amara", "Haddad", Role.CSM, "CSM", "manager"),
    ("csm4", "Jonas", "Weber", Role.CSM, "CSM", "manager"),
    ("csm5", "Lucia", "Fernández", Role.CSM, "CSM, Scale", "manager2"),
    ("csm6", "Omar", "Nasser", Role.CSM, "CSM, Scale", "manager2"),
    ("csm7", "Hannah", "Kim", Role.CSM, "CSM, Scale", "manager2"),
    ("csm8", "Reza", "Karimi", Role.CSM, "Digital CSM", "manager2"),
    ("viewer", "Vera", "Lind", Role.READONLY, "Finance (read-only)", None),
]
ENTERPRISE_POD = ["csm1", "csm2", "csm3", "csm4"]
SCALE_POD = ["csm5", "csm6", "csm7", "csm8"]


def demo_team_ensure() -> dict[str, User]:
    """Create or update the demo team (idempotent); every login gets DEMO_PASSWORD."""
    password = make_password(DEMO_PASSWORD)  # hashed once: hashing is deliberately slow
    users: dict[str, User] = {}
    for username, first, last, role, title, manager in TEAM:
        user, _ = User.objects.update_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "email": f"{username}@pulse-cs.example",
                "role": role,
                "title": title,
                "manager": users.get(manager) if manager else None,
                "is_active": True,
                "is_staff": role == Role.ADMIN,
                "is_superuser": role == Role.ADMIN,
                "password": password,
            },
        )
        users[username] = user
    return users
