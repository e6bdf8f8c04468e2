from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class SurveyKind(models.TextChoices):
    NPS = "nps", _("NPS (0–10)")
    CSAT = "csat", _("CSAT (1–5)")
    CES = "ces", _("CES (1–7)")


# Inclusive score range per kind.
SCORE_RANGE = {SurveyKind.NPS: (0, 10), SurveyKind.CSAT: (1, 5), SurveyKind.CES: (1, 7)}


class SurveyStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    PAUSED = "paused", _("Paused")
    ARCHIVED = "archived", _("Archived")


class Channel(models.TextChoices):
    WIDGET = "widget", _("In-app widget")
    EMAIL = "email", pgettext_lazy("survey channel", "Email")
    LINK = "link", _("Public link")
    IMPORT = "import", pgettext_lazy("survey channel", "Import")


class TriggerType(models.TextChoices):
    PAGE_VIEW = "page_view", _("Page view")
    EVENT = "event", _("After a usage event")
    DAYS_AFTER_SIGNUP = "days_after_signup", _("N days after signup")


class TouchKind(models.TextChoices):
    """What spends a contact's fatigue budget: being asked (widget shown, survey or playbook
    email sent), answering and dismissing all count."""

    ASKED = "asked", _("Asked")
    ANSWERED = "answered", _("Answered")
    DISMISSED = "dismissed", _("Dismissed")
    EMAIL = "email", pgettext_lazy("survey channel", "Email")


class DeliveryStatus(models.TextChoices):
    SENT = "sent", _("Sent")
    ANSWERED = "answered", _("Answered")
    DISMISSED = "dismissed", _("Dismissed")


class QuestionType(models.TextChoices):
    TEXT = "text", pgettext_lazy("question type", "Text")
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")


LANGUAGES = {"en": "English", "ar": "العربية", "fa": "فارسی", "zh": "中文"}


def score_category(kind: str, score: int) -> str:
    """NPS: detractor 0-6, passive 7-8, promoter 9-10. CSAT: low 1-2, neutral 3, high 4-5.
    CES (1-7, 7 = very easy): low 1-3, neutral 4, high 5-7."""
    if kind == SurveyKind.NPS:
        return "detractor" if score <= 6 else "passive" if score <= 8 else "promoter"
    if kind == SurveyKind.CSAT:
        return "low" if score <= 2 else "neutral" if score == 3 else "high"
    return "low" if score <= 3 else "neutral" if score == 4 else "high"


# Answer groups for the thank-you messages: unhappy / neutral / happy whatever the kind.
CATEGORY_GROUP = {
    "detractor": "unhappy",
    "low": "unhappy",
    "passive": "neutral",
    "neutral": "neutral",
    "promoter": "happy",
    "high": "happy",
}


class SendJobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Sending")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class RecipientStatus(models.TextChoices):
    """One contact of a send job. `sending` is claimed by a worker; a step that finds a claim
    left by a worker that died marks it `interrupted` instead of e-mailing it again."""

    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    INTERRUPTED = "interrupted", _("Interrupted")


class SkipReason(models.TextChoices):
    """Why a contact of the audience is not e-mailed, in the order they are checked."""

    RECENTLY_ASKED = "recently_asked", _("asked, answered or e-mailed within the recontact window")
    ACCOUNT_CAP = "account_cap", _("their account already had its most contacts asked this month")
    NO_EMAIL = "no_email", _("no e-mail address")
    DRIP = "drip", _("over today's drip limit")
