"""Direction comes from Django's language tables (one source, no hand-kept set)."""

import pytest

from core.languages import language_is_bidi


@pytest.mark.parametrize(
    "code, bidi",
    [("ar", True), ("fa", True), ("he", True), ("ur", True), ("en", False), ("zh-hans", False), ("zh", False)],
)
def test_known_languages(code, bidi):
    assert language_is_bidi(code) is bidi


@pytest.mark.parametrize("code", ["", None, "xx", "klingon"])
def test_unknown_or_empty_is_left_to_right(code):
    assert language_is_bidi(code) is False
