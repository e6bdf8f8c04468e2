from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from .choices import APIKeyScope
from .models import APIKey, User

# Writing last_used_at on every request would turn every read into a write; once a minute is plenty.
LAST_USED_GRANULARITY = timedelta(minutes=1)


@transaction.atomic
def api_key_create(
    *, name: str, scope: str, created_by: User | None = None, user: User | None = None
) -> tuple[APIKey, str]:
    """Create a key and return it with its plain text, which is never stored. With `user`, a
    personal token acting as that user (role and book); `scope` is then only a label."""
    if scope not in APIKeyScope.values:
        raise ValueError(f"scope must be one of: {', '.join(APIKeyScope.values)}")
    if not name.strip():
        raise ValueError("name must not be empty")
    raw = APIKey.generate()
    key = APIKey.objects.create(
        name=name.strip(),
        scope=scope,
        key_prefix=raw[:12],
        key_hash=APIKey.hash_key(raw),
        created_by=created_by,
        user=user,
    )
    return key, raw


def api_token_create(*, user: User, name: str = "Personal token") -> tuple[APIKey, str]:
    """A personal API token for `user`: requests with it act as the user."""
    return api_key_create(name=name, scope=APIKeyScope.WRITE, created_by=user, user=user)


def api_key_revoke(*, key: APIKey) -> APIKey:
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
    return key


def api_key_authenticate(*, raw_key: str) -> APIKey | None:
    """The active key with this plain text, or None. Touches last_used_at at most once a minute."""
    if not raw_key or not raw_key.startswith(APIKey.PREFIX):
        return None
    key = APIKey.objects.active().select_related("user").filter(key_hash=APIKey.hash_key(raw_key)).first()
    if key is None or (key.user_id is not None and not key.user.is_active):
        return None
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at > LAST_USED_GRANULARITY:
        APIKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
    return key


# Section: team users


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str,
    role: str,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    title: str = "",
    manager: User | None = None,
) -> User:
    """A new member of the CS team. The password goes through Django's validators."""
    from django.contrib.auth.password_validation import validate_password

    user = User(
        username=username.strip(),
        email=email.strip(),
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        title=title.strip(),
        role=role,
        manager=manager,
    )
    validate_password(password, user)
    user.set_password(password)
    user.full_clean()
    user.save()
    return user


_USER_EDITABLE = {"email", "first_name", "last_name", "title", "role", "manager", "is_active"}


@transaction.atomic
def user_update(*, user: User, password: str | None = None, **fields) -> User:
    """Change a team member's profile, role, manager or active flag (and optionally password)."""
    unknown = set(fields) - _USER_EDITABLE
    if unknown:
        raise ValueError(f"cannot change: {', '.join(sorted(unknown))}")
    if fields.get("manager") is not None and fields["manager"].pk == user.pk:
        raise ValueError("a user cannot be their own manager")
    for name, value in fields.items():
        setattr(user, name, value)
    update_fields = list(fields)
    if password:
        from django.contrib.auth.password_validation import validate_password

        validate_password(password, user)
        user.set_password(password)
        update_fields.append("password")
    user.full_clean(exclude=["password", "username"])
    if update_fields:
        user.save(update_fields=update_fields)
    return user


_PREFERENCES = {"language", "timezone", "digits", "calendar"}


def user_preferences_update(*, user: User, **fields) -> User:
    """A user's own display choices (the profile page, the header's language switch): language
    ("" = the browser's), IANA time zone, digits, calendar. Validated by the model's fields."""
    unknown = set(fields) - _PREFERENCES
    if unknown:
        raise ValueError(f"cannot change: {', '.join(sorted(unknown))}")
    if fields.get("language") and fields["language"] not in dict(settings.LANGUAGES):
        raise ValidationError({"language": gettext("This site does not speak that language.")})
    for name, value in fields.items():
        setattr(user, name, value)
    if fields:
        user.full_clean(exclude=[f.name for f in user._meta.fields if f.name not in fields])
        user.save(update_fields=list(fields))
    return user
