"""Opportunities (renewal, expansion, downsell) on an admin-configured pipeline.

A renewal opportunity belongs to one subscription term: `subscription` + `term_end` (the
term's exclusive end date, as on the subscription when the sweep opened it). The unique
constraint on (subscription, term_end, kind) is what makes the sweep idempotent; expansion and
downsell records the sweep writes when a plan changes at renewal use the same key.
`status` copies the stage's kind (open / won / lost) so lists and the forecast filter on one
indexed column; services keep the two together.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext_lazy as _

from core.choice_labels import ChoiceLabelsMixin

from ..choices import ForecastCategory, OpportunityKind, Outcome, StageKind


class PipelineStageQuerySet(models.QuerySet):
    def open(self):
        return self.filter(kind=StageKind.OPEN)


class PipelineStage(models.Model):
    """One column of the renewal board: its order, win probability and meaning."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    probability = models.PositiveSmallIntegerField(_("probability (%)"), default=0)
    kind = models.CharField(_("kind"), max_length=8, choices=StageKind.choices, default=StageKind.OPEN)

    objects = PipelineStageQuerySet.as_manager()

    class Meta:
        ordering = ["order", "id"]
        constraints = [models.CheckConstraint(condition=Q(probability__lte=100), name="stage_probability_max_100")]

    def __str__(self) -> str:
        return self.name


class Opportunity(ChoiceLabelsMixin, models.Model):
    kind = models.CharField(_("type"), max_length=12, choices=OpportunityKind.choices, default=OpportunityKind.RENEWAL)
    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="opportunities")
    subscription = models.ForeignKey(
        "accounts.Subscription", null=True, blank=True, on_delete=models.SET_NULL, related_name="opportunities"
    )
    term_end = models.DateField(null=True, blank=True)
    amount = models.DecimalField(_("amount (ARR)"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default="USD")
    close_date = models.DateField(_("close date"))
    stage = models.ForeignKey(PipelineStage, on_delete=models.PROTECT, related_name="opportunities")
    status = models.CharField(max_length=8, choices=StageKind.choices, default=StageKind.OPEN)
    category = models.CharField(
        _("forecast category"), max_length=10, choices=ForecastCategory.choices, default=ForecastCategory.PIPELINE
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="opportunities"
    )
    call_amount = models.DecimalField(_("CSM's call"), max_digits=14, decimal_places=2, null=True, blank=True)
    next_step = models.CharField(_("next step"), max_length=255, blank=True)
    external_id = models.CharField(_("external id"), max_length=191, null=True, blank=True, unique=True)
    # The sweep's estimate of P(renew) for open renewals (churn model or band rate), frozen at close.
    renew_probability = models.FloatField(null=True, blank=True)
    amount_retained = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    outcome = models.CharField(max_length=12, choices=Outcome.choices, default=Outcome.NONE, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=dj_timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["close_date", "id"]
        indexes = [
            models.Index(fields=["status", "close_date"], name="opportunity_status_close"),
            models.Index(fields=["close_date", "id"], name="opportunity_close_id"),
            models.Index(fields=["stage", "close_date", "id"], name="opportunity_stage_close"),
            models.Index(fields=["owner", "close_date"], name="opportunity_owner_close"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "term_end", "kind"],
                condition=Q(subscription__isnull=False, term_end__isnull=False),
                name="opportunity_one_per_term",
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="opportunity_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.account_id} {self.close_date}"

    @property
    def forecast_amount(self):
        """What the CSM expects (their call), else the amount."""
        return self.amount if self.call_amount is None else self.call_amount


class BandRenewalRate(models.Model):
    """Each health band's historical renewal rate (renewed / ended paid terms of the last year,
    band as it was before the term ended): the P(renew) where no churn model is trained.
    Rewritten by the nightly sweep; band "" is the whole book (accounts without a score)."""

    band = models.CharField(max_length=8, unique=True, blank=True)
    ended = models.PositiveIntegerField(default=0)
    renewed = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        ordering = ["band"]

    def __str__(self) -> str:
        return f"{self.band or 'all'}: {self.renewed}/{self.ended}"

    @property
    def rate(self) -> float | None:
        return self.renewed / self.ended if self.ended else None


class ForecastAccuracy(models.Model):
    """One past quarter's forecast track record, in the base currency: what the forecast would
    have expected at the quarter's start (band rates of the year before, bands on that day),
    what actually renewed, and the naive "renews at last year's rate". Rebuilt nightly."""

    quarter_start = models.DateField(unique=True)
    up_for_renewal = models.DecimalField(max_digits=16, decimal_places=2)
    expected = models.DecimalField(max_digits=16, decimal_places=2)
    naive = models.DecimalField(max_digits=16, decimal_places=2)
    actual = models.DecimalField(max_digits=16, decimal_places=2)
    terms = models.PositiveIntegerField(default=0)
    currency = models.CharField(max_length=3, default="USD")
    missing_rates = models.JSONField(default=list, blank=True)
    computed_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        ordering = ["quarter_start"]

    def __str__(self) -> str:
        return f"{self.quarter_start}: {self.expected} vs {self.actual}"

    @staticmethod
    def _error(estimate, actual) -> float | None:
        return float((estimate - actual) / actual * 100) if actual else None

    @property
    def expected_error(self) -> float | None:
        return self._error(self.expected, self.actual)

    @property
    def naive_error(self) -> float | None:
        return self._error(self.naive, self.actual)
