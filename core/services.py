from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from .choices import APIKeyScope
from .models import APIKey, User

# Writing last_used_at on every request would turn every read into a write; once a minute is plenty.
LAST_USED_GRANULARITY = timedelta(minutes=1)


@transaction.atomic
def api_key_create(*, name: str, scope: str, created_by: User | None = None) -> tuple[APIKey, str]:
    """Create a key and return it with its plain text, which is never stored."""
    if scope not in APIKeyScope.values:
        raise ValueError(f"scope must be one of: {', '.join(APIKeyScope.values)}")
    if not name.strip():
        raise ValueError("name must not be empty")
    raw = APIKey.generate()
    key = APIKey.objects.create(
        name=name.strip(), scope=scope, key_prefix=raw[:12], key_hash=APIKey.hash_key(raw), created_by=created_by
    )
    return key, raw


def api_key_revoke(*, key: APIKey) -> APIKey:
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
    return key


def api_key_authenticate(*, raw_key: str) -> APIKey | None:
    """The active key with this plain text, or None. Touches last_used_at at most once a minute."""
    if not raw_key or not raw_key.startswith(APIKey.PREFIX):
        return None
    key = APIKey.objects.active().filter(key_hash=APIKey.hash_key(raw_key)).first()
    if key is None:
        return None
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at > LAST_USED_GRANULARITY:
        APIKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
    return key
