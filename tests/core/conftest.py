import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _clear_cache_after():
    """These tests open every page (the menu, the phone layout): what the pages cache (e.g. the
    portfolio's segment choices, for five minutes) must not leak into the tests that follow."""
    yield
    cache.clear()
