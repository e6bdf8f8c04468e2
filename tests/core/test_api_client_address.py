"""The API's per-address throttle believes X-Forwarded-For only as far as NUM_PROXIES says
(the same setting as the survey pages' rate limit, surveys.throttle.client_ip)."""

from django.test import RequestFactory
from rest_framework.throttling import SimpleRateThrottle

from core.api.throttling import KeyRateThrottle


def test_forwarded_for_is_ignored_without_a_trusted_proxy():
    request = RequestFactory().get("/api/v1/accounts/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.9")
    throttle = KeyRateThrottle()
    assert isinstance(throttle, SimpleRateThrottle)
    assert throttle.get_ident(request) == "10.0.0.2"
