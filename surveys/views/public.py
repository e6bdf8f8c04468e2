"""Public survey pages for customers (no login): the email's one-click score links and the
comment page they open, and public link surveys (anonymous, or personal with a signed token).

No CSRF cookie (docs/decisions.md, "Public survey forms: no CSRF cookie"): the forms post to
csrf_exempt views, so a fresh browser, a mail client's webview or a browser that blocks cookies
can answer. What a CSRF token would prove is proved otherwise: the e-mail and personal-link
pages are named by a signed token only their recipient has, the anonymous form carries a nonce
signed for its survey (surveys.links), a browser's post from another site is refused by its
Origin / Sec-Fetch-Site headers (`_cross_site`), and anonymous answers are rate-limited per
client address (surveys.throttle).
"""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from ..choices import CATEGORY_GROUP, LANGUAGES
from ..links import (
    FormNonceExpired,
    FormNonceInvalid,
    delivery_for_token,
    email_click_record,
    form_nonce_make,
    form_nonce_read,
)
from ..models import Survey
from ..selectors import delivery_response
from ..services import email_answer, link_answer
from ..throttle import public_answer_count, public_answer_retry_after
from ..tokens import TokenError, TokenExpired
from ..wording import site_language


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


def _posted(request, survey: Survey) -> dict:
    """What the customer sent, to show it again when it could not be recorded yet."""
    answers = _answers_from_post(request.POST, survey.follow_ups)
    return {"selected": request.POST.get("score"), "comment": request.POST.get("comment", ""), "answers": answers}


def _page(request, survey: Survey, language: str, *, status: int = 200, answers: dict | None = None, **context):
    texts = survey.texts(language)
    low, high = survey.score_range
    context.setdefault("scores", list(range(low, high + 1)))
    context.setdefault("errors", {})
    answers = answers or {}
    follow_ups = []
    for question in survey.follow_ups_in(texts["language"]):  # in the page's language only
        given = answers.get(question["id"])
        chosen = given if isinstance(given, list) else ([given] if given else [])
        follow_ups.append({**question, "chosen": chosen, "value": given if isinstance(given, str) else ""})
    # the survey's code ("zh") as the site's language ("zh-hans", settings.LANGUAGES)
    with translation.override(translation.get_supported_language_variant(texts["language"])):
        return render(
            request,
            "surveys/public_survey.html",
            {"survey": survey, "texts": texts, "languages": LANGUAGES, "follow_ups": follow_ups, **context},
            status=status,
        )


def _problem(request, *, status: int, message: str = "", expired: bool = False, language: str | None = None):
    with translation.override(site_language(language)):
        return render(request, "surveys/public_problem.html", {"expired": expired, "message": message}, status=status)


def _token_problem(request, exc: TokenError):
    expired = isinstance(exc, TokenExpired)
    return _problem(request, status=410 if expired else 404, expired=expired)


def _cross_site(request) -> bool:
    """A post a browser says it sent from another site: its Origin is not this server's (nor
    one of CSRF_TRUSTED_ORIGINS), or without an Origin, Sec-Fetch-Site is not same-origin. A
    client that sends neither header (not a current browser) is judged by its token or nonce."""
    origin = request.headers.get("Origin")
    if origin and origin != "null":
        own = f"{'https' if request.is_secure() else 'http'}://{request.get_host()}"
        return origin != own and origin not in settings.CSRF_TRUSTED_ORIGINS
    fetch_site = request.headers.get("Sec-Fetch-Site")
    return fetch_site is not None and fetch_site not in ("same-origin", "none")


def _cross_site_refused(request, language: str):
    return _problem(
        request,
        status=403,
        language=language,
        message=gettext_lazy(
            "This answer was sent from another website, so it was not recorded. Open the survey link itself."
        ),
    )


@login_not_required
@require_http_methods(["GET"])
def email_click(request, token: str, score: int):
    """One click in the email records the score if the contact has not answered yet, and opens
    the comment page. A later click (or a mail scanner's) changes nothing: the comment page
    shows its score preselected, and only sending that form changes the answer."""
    try:
        email_click_record(token=token, score=score)
    except TokenError as exc:
        return _token_problem(request, exc)
    except ValidationError as exc:
        return _problem(request, status=400, message="; ".join(exc.messages))
    return redirect(reverse("surveys:email_comment", args=[token]) + f"?score={score}")


def _delivery_page(request, token: str, purpose: str):
    """The comment page after an email click, and the personal link page: same form."""
    try:
        delivery = delivery_for_token(purpose, token)
    except TokenError as exc:
        return _token_problem(request, exc)
    survey = delivery.survey
    if request.method == "POST":
        if _cross_site(request):
            return _cross_site_refused(request, delivery.language)
        posted = _posted(request, survey)
        try:
            recorded, _delivery = email_answer(
                token=token,
                score=request.POST.get("score"),
                comment=request.POST.get("comment", ""),
                answers=posted["answers"],
                purpose=purpose,
            )
        except TokenError as exc:
            return _token_problem(request, exc)
        except ValidationError as exc:
            return _page(request, survey, delivery.language, status=400, errors=exc.message_dict, **posted)
        return _page(request, survey, delivery.language, thanks=CATEGORY_GROUP[recorded.category])
    response = delivery_response(delivery_id=delivery.id)
    low, high = survey.score_range
    clicked = request.GET.get("score", "")
    clicked = clicked if clicked.isdigit() and low <= int(clicked) <= high else ""
    notice = ""
    if response is not None:
        with translation.override(site_language(survey.texts(delivery.language)["language"])):
            if clicked and int(clicked) != response.score:
                notice = _("Your answer was %(old)s. Press the button below to change it to %(new)s.") % {
                    "old": response.score,
                    "new": clicked,
                }
            else:
                notice = _("Thank you, your score of %(score)s is recorded. You can add a comment.") % {
                    "score": response.score
                }
    return _page(
        request,
        survey,
        delivery.language,
        selected=clicked or (str(response.score) if response else None),
        comment=response.comment if response else "",
        answers=response.answers if response else None,
        notice=notice,
    )


@csrf_exempt  # the signed token in the URL is the credential (module docstring)
@login_not_required
@require_http_methods(["GET", "POST"])
def email_comment(request, token: str):
    return _delivery_page(request, token, "email")


@csrf_exempt  # a signed token (?t=) or a nonce signed for the survey, plus _cross_site
@login_not_required
@require_http_methods(["GET", "POST"])
def public_link(request, slug: str):
    """A survey's public page. With ?t=<token> it is a known contact's personal link."""
    survey = get_object_or_404(Survey.objects.live(), public_slug=slug)
    token = request.GET.get("t")
    if token:
        return _delivery_page(request, token, "link")
    language = request.GET.get("lang") or survey.default_language
    if request.method == "GET":
        return _page(request, survey, language, nonce=form_nonce_make(survey_id=survey.id))
    if _cross_site(request):
        return _cross_site_refused(request, survey.texts(language)["language"])
    posted = _posted(request, survey)
    retry_after = public_answer_retry_after(survey_id=survey.id, request=request)
    if retry_after is not None:
        with translation.override(site_language(survey.texts(language)["language"])):
            notice = _(
                "Many answers to this survey came from your network in the last hour, so yours was not "
                "recorded yet. Please send it again in %(minutes)s minutes."
            ) % {"minutes": max(1, round(retry_after / 60))}
        response = _page(
            request, survey, language, status=429, nonce=request.POST.get("nonce"), problem=notice, **posted
        )
        response["Retry-After"] = str(retry_after)
        return response
    try:
        nonce = form_nonce_read(survey_id=survey.id, value=request.POST.get("nonce", ""))
    except FormNonceExpired:
        with translation.override(site_language(survey.texts(language)["language"])):
            notice = _("This page was open for a long time. Please check your answer and send it again.")
        return _page(
            request, survey, language, status=400, nonce=form_nonce_make(survey_id=survey.id), problem=notice, **posted
        )
    except FormNonceInvalid:
        return _problem(
            request,
            status=400,
            language=survey.texts(language)["language"],
            message=gettext_lazy("This form does not belong to this survey. Please open the survey link again."),
        )
    try:
        recorded = link_answer(
            survey=survey,
            nonce=nonce,
            score=request.POST.get("score"),
            comment=request.POST.get("comment", ""),
            answers=posted["answers"],
            language=language,
        )
    except ValidationError as exc:
        return _page(
            request,
            survey,
            language,
            status=400,
            errors=exc.message_dict,
            nonce=request.POST.get("nonce"),
            **posted,
        )
    if recorded is None:
        return _problem(
            request,
            status=409,
            language=survey.texts(language)["language"],
            message=gettext_lazy("This answer was sent a while ago and can no longer be changed. Thank you!"),
        )
    if recorded.created:
        public_answer_count(survey_id=survey.id, request=request)
    return _page(request, survey, language, thanks=CATEGORY_GROUP[recorded.category])
