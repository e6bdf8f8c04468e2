"""Surveys (NPS, CSAT, CES), how they reach contacts (widget, email, link), the answers, and the
fatigue budget every channel spends from (`surveys.fatigue`)."""

import hmac
import secrets
from hashlib import sha256
from urllib.parse import urlsplit

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone as dj_timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from core.choice_labels import ChoiceLabelsMixin

from .choices import (
    SCORE_RANGE,
    Channel,
    DeliveryStatus,
    RecipientStatus,
    SendJobStatus,
    SurveyKind,
    SurveyStatus,
    TouchKind,
    TriggerType,
)

# Section: configuration


def _workspace_key() -> str:
    return "wk_" + secrets.token_urlsafe(12)


def _workspace_secret() -> str:
    return secrets.token_urlsafe(32)


def _public_slug() -> str:
    return secrets.token_urlsafe(9)


class SurveyWorkspace(models.Model):
    """One customer product the widget is embedded in: the public key the snippet carries, the
    identity-verification secret the host's server signs user ids with, and the origins
    allowed to call the widget endpoints (CORS)."""

    name = models.CharField(max_length=120)
    key = models.CharField(max_length=32, unique=True, default=_workspace_key)
    secret = models.CharField(max_length=64, default=_workspace_secret)
    allowed_origins = models.TextField(
        blank=True, help_text=_("One origin per line, e.g. https://app.example.com (scheme, host and port).")
    )
    created_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @cached_property
    def origin_list(self) -> list[str]:
        return [normalize_origin(line) for line in self.allowed_origins.splitlines() if line.strip()]

    def origin_allowed(self, origin: str | None) -> bool:
        return bool(origin) and normalize_origin(origin) in self.origin_list

    def user_hash(self, user_id: str) -> str:
        """HMAC-SHA256(secret, user_id) in hex: what the host's server computes."""
        return hmac.new(self.secret.encode(), str(user_id).encode(), sha256).hexdigest()

    def verify_user(self, user_id: str, user_hash: str) -> bool:
        return bool(user_id) and bool(user_hash) and hmac.compare_digest(self.user_hash(user_id), str(user_hash))


def normalize_origin(origin: str) -> str:
    parts = urlsplit(origin.strip().rstrip("/"))
    if not parts.scheme or not parts.netloc:
        return origin.strip().lower()
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


class SurveyQuerySet(models.QuerySet):
    def live(self, now=None):
        """Active surveys whose schedule covers `now`."""
        now = now or dj_timezone.now()
        return self.filter(status=SurveyStatus.ACTIVE).filter(
            models.Q(starts_at__isnull=True) | models.Q(starts_at__lte=now),
            models.Q(ends_at__isnull=True) | models.Q(ends_at__gt=now),
        )


class Survey(ChoiceLabelsMixin, models.Model):
    """An NPS, CSAT or CES survey: wording per language, optional follow-up questions,
    branding, audience, trigger (widget) and schedule.

    `translations` maps a language code to its custom texts: question, comment_label, placeholder,
    submit, dismiss, thanks_unhappy, thanks_neutral, thanks_happy, low_label, high_label, and
    "follow_ups" ({question id: {"label", "options"}}); each language falls back to its own
    built-in wording only (surveys.wording).
    `follow_ups` is a list of {"id", "type": text|single|multiple, "label", "options": [...]},
    written in the default language.
    """

    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=8, choices=SurveyKind.choices, default=SurveyKind.NPS)
    status = models.CharField(max_length=8, choices=SurveyStatus.choices, default=SurveyStatus.DRAFT, db_index=True)
    workspace = models.ForeignKey(
        SurveyWorkspace, null=True, blank=True, on_delete=models.SET_NULL, related_name="surveys"
    )
    public_slug = models.CharField(max_length=16, unique=True, default=_public_slug)
    default_language = models.CharField(max_length=8, default="en")
    translations = models.JSONField(default=dict, blank=True)
    follow_ups = models.JSONField(default=list, blank=True)
    brand_color = models.CharField(max_length=7, default="#4f46e5")
    logo_url = models.URLField(blank=True)

    # Audience
    segments = models.JSONField(default=list, blank=True, help_text=_("Account segments; empty = all."))
    tiers = models.JSONField(default=list, blank=True, help_text=_("Account tiers; empty = all."))
    personas = models.ManyToManyField("accounts.Persona", blank=True, related_name="surveys")
    saved_view = models.ForeignKey(
        "accounts.SavedView",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("A shared saved view of the portfolio: only contacts of its accounts are asked."),
    )
    sample_percent = models.PositiveSmallIntegerField(
        default=100, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )

    # Trigger (widget)
    trigger = models.CharField(max_length=24, choices=TriggerType.choices, default=TriggerType.PAGE_VIEW)
    trigger_event = models.CharField(max_length=128, blank=True, help_text=_("Usage event name for the event trigger."))
    trigger_days = models.PositiveIntegerField(default=0, help_text=_("Days after the contact signed up."))
    delay_seconds = models.PositiveIntegerField(default=0, help_text=_("Wait this long on the page before showing."))

    # Schedule
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    drip_per_day = models.PositiveIntegerField(
        null=True, blank=True, help_text=_("At most this many contacts asked per day (empty = no limit).")
    )

    created_at = models.DateTimeField(default=dj_timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SurveyQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def score_range(self) -> tuple[int, int]:
        return SCORE_RANGE[SurveyKind(self.kind)]

    @property
    def tier_labels(self) -> list[str]:
        """The audience's tiers by their names in the reader's language (codes kept if unknown)."""
        from accounts.choices import Tier

        names = dict(Tier.choices)
        return [str(names.get(tier, tier)) for tier in self.tiers or []]

    def texts(self, language: str | None) -> dict:
        """The wording in `language` (else the default language): this language's custom texts
        over its built-in ones, never another language's (surveys.wording)."""
        from .wording import survey_texts

        return survey_texts(
            kind=self.kind, default_language=self.default_language, translations=self.translations, language=language
        )

    def follow_ups_in(self, language: str | None) -> list[dict]:
        """The follow-up questions as shown in `language` (surveys.wording.survey_follow_ups)."""
        from .wording import survey_follow_ups

        return survey_follow_ups(
            default_language=self.default_language,
            translations=self.translations,
            follow_ups=self.follow_ups,
            language=language,
        )


# Section: delivery and fatigue


class SurveyDelivery(ChoiceLabelsMixin, models.Model):
    """One time a contact was asked: a widget impression, an email, a personal link. Its signed
    token (surveys.tokens) is what the answer refers to, so a second answer to the same delivery
    changes the first instead of adding one."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="deliveries")
    contact = models.ForeignKey(
        "accounts.Contact", null=True, blank=True, on_delete=models.CASCADE, related_name="survey_deliveries"
    )
    account = models.ForeignKey(
        "accounts.Account", null=True, blank=True, on_delete=models.CASCADE, related_name="survey_deliveries"
    )
    channel = models.CharField(max_length=8, choices=Channel.choices)
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.SENT)
    language = models.CharField(max_length=8, default="en")
    sent_at = models.DateTimeField(default=dj_timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-sent_at", "-id"]
        verbose_name_plural = _("survey deliveries")
        indexes = [
            models.Index(fields=["survey", "sent_at"]),
            models.Index(fields=["contact", "sent_at"]),
            models.Index(fields=["sent_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.survey_id} → {self.contact_id} ({self.channel})"


class SurveySendJob(models.Model):
    """One "Email the audience" run (surveys.sending): who asked for it, how far it got, and
    what happened to each contact of the audience (sent, or skipped and why). A Celery task
    works through the audience in keyset chunks (`cursor` = last contact id planned), so a
    retry carries on where it stopped; at most one job per survey is queued or running."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="send_jobs")
    status = models.CharField(max_length=8, choices=SendJobStatus.choices, default=SendJobStatus.QUEUED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=dj_timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    candidates = models.PositiveIntegerField(default=0, help_text=_("Contacts matching the audience filters."))
    scanned = models.PositiveIntegerField(default=0, help_text=_("Of the candidates, how many were planned so far."))
    cursor = models.BigIntegerField(default=0)
    planned_all = models.BooleanField(default=False)
    audience = models.PositiveIntegerField(default=0, help_text=_("Candidates in the sample."))
    sent = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    skipped = models.JSONField(default=dict, blank=True, help_text=_("Contacts not e-mailed, by reason (SkipReason)."))
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey"],
                condition=models.Q(status__in=[SendJobStatus.QUEUED, SendJobStatus.RUNNING]),
                name="survey_one_active_send_job",
            )
        ]

    def __str__(self) -> str:
        return f"send {self.id} of survey {self.survey_id} ({self.status})"

    @property
    def active(self) -> bool:
        return self.status in (SendJobStatus.QUEUED, SendJobStatus.RUNNING)

    @property
    def skipped_total(self) -> int:
        return sum(self.skipped.values())

    @property
    def percent(self) -> int:
        if not self.active:
            return 100
        return min(99, int(100 * self.scanned / self.candidates)) if self.candidates else 0


class SurveySendRecipient(models.Model):
    """A contact a send job e-mails: one row per (job, contact), so no retry e-mails anyone
    twice. Written with the contact's delivery and fatigue touch, before the e-mail goes."""

    job = models.ForeignKey(SurveySendJob, on_delete=models.CASCADE, related_name="recipients")
    contact = models.ForeignKey("accounts.Contact", on_delete=models.CASCADE, related_name="+")
    delivery = models.ForeignKey(SurveyDelivery, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=12, choices=RecipientStatus.choices, default=RecipientStatus.PENDING)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["job", "contact"], name="send_recipient_once_per_job")]
        indexes = [models.Index(fields=["job", "status"], name="send_recipient_job_status")]

    def __str__(self) -> str:
        return f"{self.job_id} → {self.contact_id} ({self.status})"


class FatigueTouch(models.Model):
    """A contact was asked, answered, dismissed, or emailed. `surveys.fatigue` counts these
    across every survey and channel (and playbook emails) to decide who may be asked again."""

    contact = models.ForeignKey("accounts.Contact", on_delete=models.CASCADE, related_name="+", db_index=False)
    account = models.ForeignKey(
        "accounts.Account", null=True, blank=True, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    channel = models.CharField(max_length=16)
    kind = models.CharField(max_length=10, choices=TouchKind.choices)
    occurred_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["contact", "occurred_at"], name="fatigue_contact_time"),
            models.Index(fields=["account", "occurred_at"], name="fatigue_account_time"),
        ]

    def __str__(self) -> str:
        return f"{self.contact_id} {self.kind} via {self.channel}"


# Section: answers


class ResponseTheme(models.Model):
    """A group of comments on one topic, in any language (computed by surveys.themes in the
    background). `language` is the one most of its comments are written in (its label's and
    example's), `languages` the number of comments per language."""

    label = models.CharField(max_length=120)
    keywords = models.JSONField(default=list, blank=True)
    example = models.TextField(blank=True, default="")
    language = models.CharField(max_length=16, blank=True, default="")
    languages = models.JSONField(default=dict, blank=True)
    size = models.PositiveIntegerField(default=0)
    method = models.CharField(max_length=24, default="")
    computed_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        ordering = ["-size", "label"]

    def __str__(self) -> str:
        return self.label

    def language_counts(self) -> list[tuple[str, int]]:
        """[(language name, comments)] biggest first, for the report."""
        from .comment_language import language_label

        return [(language_label(code), n) for code, n in sorted(self.languages.items(), key=lambda kv: -kv[1])]


class SurveyResponseQuerySet(models.QuerySet):
    def submitted_between(self, start, end):
        return self.filter(submitted_at__gte=start, submitted_at__lt=end)

    def customer_answers(self):
        """Answers customers gave through a survey (widget, email, link), without imported
        history: what playbooks act on (an import fires no playbook)."""
        return self.exclude(channel=Channel.IMPORT)


class SurveyResponse(ChoiceLabelsMixin, models.Model):
    """One answer. `dedupe_key` makes every path idempotent: "d:<delivery id>" (widget, email,
    personal link), "l:<nonce>" (anonymous link), "i:<...>" (import), so a repeat updates the
    same row. `submitted_at` may be historical (imports)."""

    survey = models.ForeignKey(
        Survey,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="responses",
        db_index=False,  # response_survey_time (survey, submitted_at) serves every lookup
    )
    delivery = models.OneToOneField(
        SurveyDelivery, null=True, blank=True, on_delete=models.SET_NULL, related_name="response"
    )
    kind = models.CharField(max_length=8, choices=SurveyKind.choices)
    account = models.ForeignKey(
        "accounts.Account",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="survey_responses",
        db_index=False,  # response_account_time (account, submitted_at) serves every lookup
    )
    contact = models.ForeignKey(
        "accounts.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="survey_responses"
    )
    score = models.PositiveSmallIntegerField()
    comment = models.TextField(blank=True)
    answers = models.JSONField(default=dict, blank=True, help_text=_("Follow-up answers by question id."))
    language = models.CharField(max_length=8, default="en")
    channel = models.CharField(max_length=8, choices=Channel.choices)
    submitted_at = models.DateTimeField(default=dj_timezone.now)
    dedupe_key = models.CharField(max_length=191)  # unique: see Meta (no LIKE index on PostgreSQL)
    theme = models.ForeignKey(ResponseTheme, null=True, blank=True, on_delete=models.SET_NULL, related_name="responses")
    # What follows an answer (signal, health refresh, webhook, timeline) runs in a batched Celery
    # sweep over pending rows (surveys.services.responses_followup): the answer request itself is
    # one statement. A changed answer is pending again; `followup_count` 0 means never followed up.
    followup_pending = models.BooleanField(default=True)
    followup_count = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=dj_timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SurveyResponseQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["kind", "submitted_at"], name="response_kind_time"),
            models.Index(fields=["account", "submitted_at"], name="response_account_time"),
            models.Index(fields=["survey", "submitted_at"], name="response_survey_time"),
            models.Index(fields=["id"], condition=models.Q(followup_pending=True), name="response_followup_pending"),
            # The report's verbatims, newest first: only answers with a comment are indexed.
            models.Index(fields=["submitted_at", "id"], condition=~models.Q(comment=""), name="response_comment_time"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(score__lte=10), name="response_score_max_10"),
            models.UniqueConstraint(fields=["dedupe_key"], name="response_dedupe_key_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.score} ({self.account_id})"

    @property
    def category(self) -> str:
        from .choices import score_category

        return score_category(self.kind, self.score)

    @property
    def group(self) -> str:
        """unhappy / neutral / happy, whatever the kind (thank-you messages, colours)."""
        from .choices import CATEGORY_GROUP

        return CATEGORY_GROUP[self.category]


# Section: report pre-aggregate

SCORE_COLUMNS: tuple[tuple[str, int, str], ...] = tuple(
    (str(kind), score, f"{kind}_{score}") for kind, (low, high) in SCORE_RANGE.items() for score in range(low, high + 1)
)
COMMENT_COLUMNS: tuple[tuple[str, str], ...] = tuple((str(kind), f"comments_{kind}") for kind in SurveyKind.values)


class SurveyDay(models.Model):
    """The survey report's pre-aggregate (written only by surveys.rollups): for one UTC day
    (grain "d") or one whole month (grain "m", the sum of its day rows) and one group of
    accounts, the answers submitted that day per kind and score, those with a comment, and the
    deliveries sent that day and how many of them have an answer. The group keys are copies of
    the account's segment, tier and owner (all three NULL: answers and deliveries without an
    account), so a report slice is a SUM over a few hundred rows a month instead of a scan of
    every answer."""

    class Grain(models.TextChoices):
        DAY = "d", "day"
        MONTH = "m", "month"

    grain = models.CharField(max_length=1, choices=Grain.choices)
    day = models.DateField(help_text=_("The day, or the first day of the month."))
    month = models.DateField(help_text=_("First day of the row's month."))
    segment = models.CharField(max_length=64, null=True, blank=True)
    tier = models.CharField(max_length=16, null=True, blank=True)
    owner_id = models.BigIntegerField(null=True, blank=True)
    nps_0 = models.PositiveIntegerField(default=0)
    nps_1 = models.PositiveIntegerField(default=0)
    nps_2 = models.PositiveIntegerField(default=0)
    nps_3 = models.PositiveIntegerField(default=0)
    nps_4 = models.PositiveIntegerField(default=0)
    nps_5 = models.PositiveIntegerField(default=0)
    nps_6 = models.PositiveIntegerField(default=0)
    nps_7 = models.PositiveIntegerField(default=0)
    nps_8 = models.PositiveIntegerField(default=0)
    nps_9 = models.PositiveIntegerField(default=0)
    nps_10 = models.PositiveIntegerField(default=0)
    csat_1 = models.PositiveIntegerField(default=0)
    csat_2 = models.PositiveIntegerField(default=0)
    csat_3 = models.PositiveIntegerField(default=0)
    csat_4 = models.PositiveIntegerField(default=0)
    csat_5 = models.PositiveIntegerField(default=0)
    ces_1 = models.PositiveIntegerField(default=0)
    ces_2 = models.PositiveIntegerField(default=0)
    ces_3 = models.PositiveIntegerField(default=0)
    ces_4 = models.PositiveIntegerField(default=0)
    ces_5 = models.PositiveIntegerField(default=0)
    ces_6 = models.PositiveIntegerField(default=0)
    ces_7 = models.PositiveIntegerField(default=0)
    comments_nps = models.PositiveIntegerField(default=0)
    comments_csat = models.PositiveIntegerField(default=0)
    comments_ces = models.PositiveIntegerField(default=0)
    sent = models.PositiveIntegerField(default=0)
    answered = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["grain", "day"]
        indexes = [models.Index(fields=["grain", "day"], name="surveyday_grain_day")]

    def __str__(self) -> str:
        return f"{self.grain} {self.day} {self.segment}/{self.tier}/{self.owner_id}"


class SurveyDayState(models.Model):
    """One row (pk 1): days before `complete_until` are in SurveyDay; later days are read live.
    Its row lock serialises every write to SurveyDay."""

    complete_until = models.DateField(null=True, blank=True)
    rebuilt_at = models.DateTimeField(null=True, blank=True, help_text=_("Last full rebuild (group keys re-copied)."))

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"survey days complete until {self.complete_until}"
