"""The Server-Timing header (`PULSE_SERVER_TIMING=1`, read by `make soak`): the request's CPU
and wall time, only when switched on."""

import re

import pytest
from django.conf import settings
from django.test import override_settings

pytestmark = pytest.mark.django_db

TIMED = ["core.middleware.ServerTimingMiddleware", *settings.MIDDLEWARE]


def test_off_by_default(csm_client):
    assert "core.middleware.ServerTimingMiddleware" not in settings.MIDDLEWARE
    assert "Server-Timing" not in csm_client.get("/accounts/")


@override_settings(MIDDLEWARE=TIMED)
@pytest.mark.parametrize("path", ["/accounts/", "/login/", "/widget/v1.js"])
def test_pages_and_widget_carry_cpu_and_wall_time(csm_client, path):
    response = csm_client.get(path)
    assert response.status_code == 200
    match = re.fullmatch(r"cpu;dur=([0-9.]+), app;dur=([0-9.]+)", response["Server-Timing"])
    assert match
    cpu, wall = map(float, match.groups())
    assert 0 <= cpu and 0 < wall
