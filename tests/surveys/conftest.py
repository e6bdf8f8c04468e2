import pytest

from surveys.selectors import cache_clear


@pytest.fixture(autouse=True)
def _fresh_survey_cache():
    """The widget's in-process lookups must not leak between tests (ids are reused)."""
    cache_clear()
    yield
    cache_clear()


def widget_token(delivery, workspace, *, user_id: str = "user-1", language: str = "en") -> str:
    """The signed token the widget's offer hands out for this delivery (surveys.tokens)."""
    from surveys.tokens import make_token

    return make_token(
        "widget",
        {
            "d": delivery.id,
            "s": delivery.survey_id,
            "k": delivery.survey.kind,
            "c": delivery.contact_id,
            "a": delivery.account_id,
            "u": user_id,
            "w": workspace.id,
            "l": language,
        },
    )
