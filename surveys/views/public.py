"""Public survey pages for customers (no login): the email's one-click score links and the
comment page they open, and public link surveys (anonymous, or personal with a signed token)."""

import secrets

from django.contrib.auth.decorators import login_not_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from ..choices import CATEGORY_GROUP, LANGUAGES
from ..models import Survey, SurveyResponse
from ..services import email_answer, link_answer
from ..tokens import TokenError, TokenExpired, read_token

NONCE_SALT = "surveys.link-form"


def _answers_from_post(post, follow_ups: list) -> dict:
    answers = {}
    for question in follow_ups or []:
        name = f"f_{question['id']}"
        if question["type"] == "multiple":
            values = post.getlist(name)
            if values:
                answers[question["id"]] = values
        elif post.get(name):
            answers[question["id"]] = post.get(name)
    return answers


def _page(request, survey: Survey, language: str, *, status: int = 200, **context):
    texts = survey.texts(language)
    context.setdefault("follow_ups", survey.follow_ups_in(texts["language"]))
    low, high = survey.score_range
    context.setdefault("scores", list(range(low, high + 1)))
    context.setdefault("errors", {})
    return render(
        request,
        "surveys/public_survey.html",
        {"survey": survey, "texts": texts, "languages": LANGUAGES, **context},
        status=status,
    )


def _token_problem(request, exc: TokenError):
    expired = isinstance(exc, TokenExpired)
    return render(
        request,
        "surveys/public_problem.html",
        {"expired": expired},
        status=410 if expired else 404,
    )


@login_not_required
@require_http_methods(["GET"])
def email_click(request, token: str, score: int):
    """One click in the email records the score (or changes it) and opens the comment page."""
    try:
        _, delivery = email_answer(token=token, score=score)
    except TokenError as exc:
        return _token_problem(request, exc)
    except ValidationError as exc:
        return render(request, "surveys/public_problem.html", {"message": "; ".join(exc.messages)}, status=400)
    return redirect(reverse("surveys:email_comment", args=[token]) + f"?score={score}")


def _delivery_page(request, token: str, purpose: str):
    """The comment page after an email click, and the personal link page: same form."""
    try:
        data = read_token(purpose, token)
    except TokenError as exc:
        return _token_problem(request, exc)
    response = SurveyResponse.objects.filter(delivery_id=data.get("d")).select_related("survey").first()
    from ..models import SurveyDelivery

    delivery = SurveyDelivery.objects.select_related("survey").filter(id=data.get("d")).first()
    if delivery is None:
        raise Http404
    survey = delivery.survey
    if request.method == "POST":
        answers = _answers_from_post(request.POST, survey.follow_ups)
        try:
            recorded, _ = email_answer(
                token=token,
                score=request.POST.get("score"),
                comment=request.POST.get("comment", ""),
                answers=answers,
                purpose=purpose,
            )
        except TokenError as exc:
            return _token_problem(request, exc)
        except ValidationError as exc:
            return _page(
                request,
                survey,
                delivery.language,
                status=400,
                errors=exc.message_dict,
                selected=request.POST.get("score"),
            )
        return _page(request, survey, delivery.language, thanks=CATEGORY_GROUP[recorded.category])
    selected = request.GET.get("score") or (response.score if response else None)
    return _page(
        request,
        survey,
        delivery.language,
        selected=str(selected) if selected is not None else None,
        comment=response.comment if response else "",
        recorded=response is not None,
    )


@login_not_required
@require_http_methods(["GET", "POST"])
def email_comment(request, token: str):
    return _delivery_page(request, token, "email")


@login_not_required
@require_http_methods(["GET", "POST"])
def public_link(request, slug: str):
    """A survey's public page. With ?t=<token> it is a known contact's personal link."""
    survey = get_object_or_404(Survey.objects.live(), public_slug=slug)
    token = request.GET.get("t")
    if token:
        return _delivery_page(request, token, "link")
    language = request.GET.get("lang") or survey.default_language
    if request.method == "POST":
        try:
            nonce = signing.loads(request.POST.get("nonce", ""), salt=NONCE_SALT, max_age=86400)
        except signing.BadSignature:
            return render(request, "surveys/public_problem.html", {"expired": True}, status=400)
        answers = _answers_from_post(request.POST, survey.follow_ups)
        try:
            recorded = link_answer(
                survey=survey,
                nonce=nonce,
                score=request.POST.get("score"),
                comment=request.POST.get("comment", ""),
                answers=answers,
                language=language,
            )
        except ValidationError as exc:
            return _page(
                request,
                survey,
                language,
                status=400,
                errors=exc.message_dict,
                selected=request.POST.get("score"),
                nonce=request.POST.get("nonce"),
            )
        if recorded is None:
            return render(request, "surveys/public_problem.html", {"message": "Already answered."}, status=409)
        return _page(request, survey, language, thanks=CATEGORY_GROUP[recorded.category])
    nonce = signing.dumps(secrets.token_urlsafe(12), salt=NONCE_SALT)
    return _page(request, survey, language, nonce=nonce)
