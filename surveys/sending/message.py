"""The survey e-mail of one delivery (sent by `surveys.services.survey_send` and the send job)."""

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from ..models import Survey, SurveyDelivery
from ..tokens import make_token

__all__ = ["survey_email_message"]


def survey_email_message(*, survey: Survey, delivery: SurveyDelivery, email: str, name: str) -> EmailMultiAlternatives:
    """The survey e-mail of one delivery, in the delivery's language, its score scale as
    one-click signed links."""
    from ..services.emails import _email_links

    token = make_token("email", {"d": delivery.id})
    texts = survey.texts(delivery.language)
    context = {"survey": survey, "texts": texts, "links": _email_links(token, survey), "name": name}
    message = EmailMultiAlternatives(
        subject=texts["question"], body=render_to_string("surveys/email/survey_email.txt", context), to=[email]
    )
    message.attach_alternative(render_to_string("surveys/email/survey_email.html", context), "text/html")
    return message
