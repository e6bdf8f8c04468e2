from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from core.services import api_key_authenticate


class APIKeyUser:
    """Stands in for request.user when a machine calls with an API key."""

    is_authenticated = True
    is_active = True
    is_anonymous = False
    is_superuser = False
    is_staff = False

    def __init__(self, api_key):
        self.api_key = api_key
        self.pk = None
        self.id = None
        self.username = f"api-key:{api_key.name}"

    def __str__(self) -> str:
        return self.username

    def has_role(self, role: str) -> bool:
        return False


class APIKeyAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer <key>`."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        parts = header.split()
        if parts[0] != self.keyword:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("Send the key as 'Authorization: Bearer <key>'.")
        key = api_key_authenticate(raw_key=parts[1])
        if key is None:
            raise exceptions.AuthenticationFailed("Unknown or revoked API key.")
        if key.user_id is not None:  # a personal token: the request acts as its user
            return key.user, key
        return APIKeyUser(key), key

    def authenticate_header(self, request):
        return self.keyword


class APIKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "core.api.authentication.APIKeyAuthentication"
    name = "apiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API key created by an admin, or a user's personal token.",
        }
