"""surveys.throttle: the sliding hour, the client address and its IPv6 block."""

import pytest
from django.core.cache import cache
from django.test import RequestFactory

from surveys.throttle import WINDOW_SECONDS, client_ip, public_answer_count, public_answer_retry_after


@pytest.fixture(autouse=True)
def _fresh_cache(settings):
    settings.SURVEYS_PUBLIC_ANSWERS_PER_HOUR = 3
    cache.clear()
    yield
    cache.clear()


def request_from(address: str, **meta):
    return RequestFactory().post("/s/x/", REMOTE_ADDR=address, **meta)


HOUR = 1000 * WINDOW_SECONDS  # the start of some clock hour


def test_the_hour_slides_across_the_clock_hour():
    request = request_from("192.0.2.1")
    for _ in range(3):
        assert public_answer_retry_after(survey_id=1, request=request, now=HOUR + 3000) is None
        public_answer_count(survey_id=1, request=request, now=HOUR + 3000)
    # full at minute 50: wait for the next hour, and until this one weighs less than 3
    wait = public_answer_retry_after(survey_id=1, request=request, now=HOUR + 3000)
    assert 600 < wait <= 603
    assert public_answer_retry_after(survey_id=1, request=request, now=HOUR + 3000 + wait) is None
    # at the clock hour the previous one still weighs 3: refused
    assert public_answer_retry_after(survey_id=1, request=request, now=HOUR + WINDOW_SECONDS) is not None
    # a minute later it weighs 2.95: one more is welcome, then not another until it weighs less than 2
    next_hour = HOUR + WINDOW_SECONDS
    assert public_answer_retry_after(survey_id=1, request=request, now=next_hour + 60) is None
    public_answer_count(survey_id=1, request=request, now=next_hour + 60)
    assert public_answer_retry_after(survey_id=1, request=request, now=next_hour + 1100) is not None
    assert public_answer_retry_after(survey_id=1, request=request, now=next_hour + 1201) is None


def test_retry_after_while_the_previous_hour_still_weighs():
    request = request_from("192.0.2.1")
    for _ in range(3):
        public_answer_count(survey_id=1, request=request, now=HOUR + 10)
    public_answer_count(survey_id=1, request=request, now=HOUR + WINDOW_SECONDS + 10)
    # 1 now + 3 * (1 - t) < 3 once t > 1/3: at 1200 s past the hour
    wait = public_answer_retry_after(survey_id=1, request=request, now=HOUR + WINDOW_SECONDS + 600)
    assert 600 <= wait <= 603
    assert public_answer_retry_after(survey_id=1, request=request, now=HOUR + WINDOW_SECONDS + 600 + wait) is None
    assert public_answer_retry_after(survey_id=1, request=request, now=HOUR + WINDOW_SECONDS + 600 + wait - 5) > 0


def test_counts_per_survey_and_per_ipv6_block():
    first = request_from("2001:db8:1:2::10")
    same_block = request_from("2001:db8:1:2:ffff::1")
    other_block = request_from("2001:db8:1:3::10")
    for _ in range(3):
        public_answer_count(survey_id=1, request=first, now=HOUR)
    assert public_answer_retry_after(survey_id=1, request=same_block, now=HOUR) is not None
    assert public_answer_retry_after(survey_id=1, request=other_block, now=HOUR) is None
    assert public_answer_retry_after(survey_id=2, request=first, now=HOUR) is None


def test_zero_turns_the_limit_off(settings):
    settings.SURVEYS_PUBLIC_ANSWERS_PER_HOUR = 0
    request = request_from("192.0.2.1")
    for _ in range(5):
        public_answer_count(survey_id=1, request=request, now=HOUR)
    assert public_answer_retry_after(survey_id=1, request=request, now=HOUR) is None


def test_client_ip_trusts_forwarded_for_only_as_far_as_configured(settings):
    request = request_from("10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.9, 198.51.100.1, 10.0.0.1")
    assert client_ip(request) == "10.0.0.2"
    settings.NUM_PROXIES = 1
    assert client_ip(request) == "10.0.0.1"
    settings.NUM_PROXIES = 2
    assert client_ip(request) == "198.51.100.1"
    settings.NUM_PROXIES = 9
    assert client_ip(request) == "203.0.113.9"
