"""The sign-in page's other doors: each single sign-on front door (OIDC, SAML) registers a button
here in its `ready()`, with a check that it is configured; the page shows the enabled ones above
the password form. Nothing here knows which protocols exist."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from django.urls import reverse

__all__ = ["LoginMethod", "register_login_method", "login_methods"]


@dataclasses.dataclass(frozen=True)
class LoginMethod:
    key: str
    label: str  # lazily translated, e.g. _("Sign in with single sign-on (OpenID Connect)")
    url_name: str
    enabled: Callable[[], bool]
    order: int = 100

    @property
    def url(self) -> str:
        return reverse(self.url_name)


_METHODS: dict[str, LoginMethod] = {}


def register_login_method(
    key: str, label, url_name: str, *, enabled: Callable[[], bool] = lambda: True, order: int = 100
) -> None:
    _METHODS[key] = LoginMethod(key=key, label=label, url_name=url_name, enabled=enabled, order=order)


def login_methods() -> list[LoginMethod]:
    """The configured methods, in order."""
    return sorted((m for m in _METHODS.values() if m.enabled()), key=lambda m: (m.order, m.key))
