"""surveys.services.validation: an answer's range and size checks, field by field."""

import pytest
from django.core.exceptions import ValidationError

from surveys.services import MAX_COMMENT, response_validate

FOLLOW_UPS = [
    {"id": "q1", "type": "single", "label": "Most used?", "options": ["Reports", "API"]},
    {"id": "q2", "type": "multiple", "label": "Which?", "options": ["a", "b"]},
    {"id": "q3", "type": "text", "label": "Anything else?"},
]


def test_a_valid_answer_is_cleaned():
    # when
    score, comment, answers = response_validate(
        kind="nps",
        score=" 9 ",
        comment="  fine ",
        answers={"q1": "API", "q2": ["b", "a"], "q3": " more "},
        follow_ups=FOLLOW_UPS,
    )
    # then
    assert (score, comment) == (9, "fine")
    assert answers == {"q1": "API", "q2": ["b", "a"], "q3": "more"}


@pytest.mark.parametrize(
    ("kind", "score", "field"),
    [("nps", 11, "score"), ("csat", 0, "score"), ("ces", "x", "score"), ("nps", True, "score"), ("poll", 1, "kind")],
)
def test_out_of_range_scores_and_unknown_kinds_are_refused(kind, score, field):
    with pytest.raises(ValidationError) as refused:
        response_validate(kind=kind, score=score)
    assert field in refused.value.message_dict


def test_comment_and_follow_up_answers_are_bounded():
    with pytest.raises(ValidationError) as refused:
        response_validate(
            kind="nps",
            score=5,
            comment="x" * (MAX_COMMENT + 1),
            answers={"q1": "Spreadsheets", "nope": "?"},
            follow_ups=FOLLOW_UPS,
        )
    errors = refused.value.message_dict
    assert "comment" in errors
    assert any("unknown question" in e for e in errors["answers"])
    assert any("not one of the choices" in e for e in errors["answers"])
