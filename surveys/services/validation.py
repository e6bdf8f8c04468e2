"""Range and size checks of an answer (score, comment, follow-up answers) before it is recorded."""

from django.core.exceptions import ValidationError

from ..choices import SCORE_RANGE, QuestionType, SurveyKind

__all__ = ["MAX_ANSWERS", "MAX_ANSWER_TEXT", "MAX_COMMENT", "response_validate"]

MAX_COMMENT = 5000
_KINDS = frozenset(SurveyKind.values)
MAX_ANSWER_TEXT = 1000
MAX_ANSWERS = 20


def response_validate(
    *, kind: str, score, comment: str | None = "", answers: dict | None = None, follow_ups: list | None = None
) -> tuple[int, str, dict]:
    """Range and size checks. Raises ValidationError({field: [reason]})."""
    errors: dict[str, list[str]] = {}
    if kind not in _KINDS:
        errors["kind"] = [f"must be one of {', '.join(SurveyKind.values)}"]
        raise ValidationError(errors)
    low, high = SCORE_RANGE[SurveyKind(kind)]
    value = None
    try:
        if isinstance(score, bool) or score is None or str(score).strip() == "":
            raise ValueError
        value = int(str(score).strip())
    except (TypeError, ValueError):
        errors["score"] = ["must be a whole number"]
    if value is not None and not low <= value <= high:
        errors["score"] = [f"must be between {low} and {high} for {kind}"]
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        errors["comment"] = [f"at most {MAX_COMMENT} characters"]
    clean_answers: dict = {}
    if answers:
        if not isinstance(answers, dict) or len(answers) > MAX_ANSWERS:
            errors["answers"] = [f"must be an object with at most {MAX_ANSWERS} entries"]
        else:
            questions = {q["id"]: q for q in (follow_ups or [])}
            for qid, answer in answers.items():
                question = questions.get(qid)
                if question is None:
                    errors.setdefault("answers", []).append(f"{qid}: unknown question")
                    continue
                problem, cleaned = _check_answer(question, answer)
                if problem:
                    errors.setdefault("answers", []).append(f"{qid}: {problem}")
                elif cleaned not in ("", []):
                    clean_answers[qid] = cleaned
    if errors:
        raise ValidationError(errors)
    assert value is not None  # a missing or bad score is among the errors above
    return value, comment, clean_answers


def _check_answer(question: dict, answer) -> tuple[str, object]:
    options = question.get("options") or []
    if question["type"] == QuestionType.TEXT:
        if not isinstance(answer, str):
            return "must be text", None
        if len(answer) > MAX_ANSWER_TEXT:
            return f"at most {MAX_ANSWER_TEXT} characters", None
        return "", answer.strip()
    if question["type"] == QuestionType.SINGLE:
        if answer in ("", None):
            return "", ""
        if answer not in options:
            return "not one of the choices", None
        return "", answer
    chosen = answer if isinstance(answer, list) else [answer]
    if any(a not in options for a in chosen) or len(chosen) > len(options):
        return "not among the choices", None
    return "", list(dict.fromkeys(chosen))
