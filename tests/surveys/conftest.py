import pytest

from surveys.selectors import cache_clear


@pytest.fixture(autouse=True)
def _fresh_survey_cache():
    """The widget's in-process lookups must not leak between tests (ids are reused)."""
    cache_clear()
    yield
    cache_clear()
