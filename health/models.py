"""Health: scorecards (which measures, thresholds, weights, band edges), the daily score
snapshots, CSM overrides and sentiment, and the learned churn-risk model.

The denormalised copy of today's score lives on accounts.Account (health_score,
health_band, health_change_7d), written by health.services."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.choices import HealthBand, Tier
from core.choice_labels import ChoiceLabelsMixin

# Section: configuration


class HealthSettings(models.Model):
    """Settings shared by every scorecard (one row, pk=1): the product's key features for
    the depth measure, and after how many days a CSM's sentiment is stale."""

    key_features = models.JSONField(default=list, blank=True, help_text=_("Event names that count as key features."))
    sentiment_stale_days = models.PositiveSmallIntegerField(default=60)
    # When the default scorecard got its event measures from the events seen (once).
    default_events_picked_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = _("health settings")

    def __str__(self) -> str:
        return gettext("Health settings")

    @classmethod
    def load(cls) -> "HealthSettings":
        obj, _ = cls.objects.get_or_create(pk=1)
        return obj


class ScorecardQuerySet(models.QuerySet):
    def current(self):
        """The versions in use (not retired): the ones a recompute scores with."""
        return self.filter(retired_at__isnull=True)

    def lineage(self, scorecard: "Scorecard"):
        """Every version of this scorecard, oldest first."""
        root = scorecard.first_version_id or scorecard.pk
        return self.filter(Q(pk=root) | Q(first_version_id=root)).order_by("version")


class Scorecard(models.Model):
    """How to score one slice of the book: accounts of `tier` and/or `segment` (blank =
    any). The most specific match wins (tier + segment, then segment, then tier); accounts
    no scorecard matches use the default one.

    Versions: applying new weights (the backtest's suggestion) retires this row and creates
    version + 1 with the same name, scope and band edges (`first_version` = version 1). A
    retired version is kept read-only: the snapshots scored with it still point at it, so
    its scores history stays as it was; only current versions score (`.current()`)."""

    name = models.CharField(max_length=120)
    tier = models.CharField(max_length=16, choices=Tier.choices, blank=True)
    segment = models.CharField(max_length=64, blank=True)
    is_default = models.BooleanField(default=False)
    red_below = models.PositiveSmallIntegerField(
        default=40, validators=[MaxValueValidator(100)], help_text=_("Scores below this are red.")
    )
    green_from = models.PositiveSmallIntegerField(
        default=70, validators=[MaxValueValidator(100)], help_text=_("Scores from this up are green.")
    )
    created_at = models.DateTimeField(default=dj_timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveSmallIntegerField(default=1)
    first_version = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="later_versions"
    )
    retired_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=500, blank=True, help_text=_("Why this version was made (audit note)."))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ScorecardQuerySet.as_manager()

    class Meta:
        ordering = ["-is_default", "name", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["name"], condition=Q(retired_at__isnull=True), name="scorecard_name_current"
            ),
            models.UniqueConstraint(fields=["first_version", "version"], name="scorecard_version_unique"),
            models.UniqueConstraint(fields=["is_default"], condition=Q(is_default=True), name="scorecard_one_default"),
            models.CheckConstraint(condition=Q(red_below__lte=models.F("green_from")), name="scorecard_band_edges"),
        ]

    def __str__(self) -> str:
        return self.name

    def band_for(self, score: float | None) -> str:
        return band_for(score, self.red_below, self.green_from)

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None

    @property
    def applies_to(self) -> str:
        if self.is_default:
            return gettext("Default")
        parts = [str(self.get_tier_display()) if self.tier else "", self.segment]
        return " · ".join(p for p in parts if p) or gettext("Nobody (set a tier or segment)")


def band_for(score: float | None, red_below: int, green_from: int) -> str:
    if score is None:
        return ""
    if score < red_below:
        return HealthBand.RED
    if score >= green_from:
        return HealthBand.GREEN
    return HealthBand.YELLOW


class ScorecardMeasure(models.Model):
    """One measure on a scorecard: its weight and the thresholds that map the raw value to
    0-100 (`points`: [[raw, score], ...] by raw value; linear in between, flat outside)."""

    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="measures")
    measure_key = models.CharField(max_length=64)
    weight = models.PositiveSmallIntegerField(default=10, validators=[MaxValueValidator(100)])
    points = models.JSONField(default=list)

    class Meta:
        ordering = ["scorecard_id", "-weight", "measure_key"]
        constraints = [
            models.UniqueConstraint(fields=["scorecard", "measure_key"], name="scorecard_measure_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.scorecard_id}:{self.measure_key} ×{self.weight}"


class EventMeasureKind(models.TextChoices):
    COUNT = "count", _("Count")
    RATE_PER_USER = "rate_per_user", _("Rate per active user")
    DISTINCT_DAYS = "distinct_days", _("Distinct days")
    TREND = "trend", _("Trend")


class EventMeasure(models.Model):
    """A measure an admin defines over chosen event names (health.measures_activity), over
    the last 30 days: their count, their count per active user (distinct contacts, else
    paid seats), the days they occurred on, or their trend (the daily rate against the
    account's own 60 days before). Registered into the measure library as
    `event:<slug>`, usable in any scorecard. `calibrated`: the raw value is the account's
    percentile (0-100) among the accounts of its segment that day, not the count itself
    (trend is always the account against itself)."""

    slug = models.SlugField(max_length=48, unique=True)
    label = models.CharField(max_length=120)
    event_names = models.JSONField(default=list, help_text=_("Event names counted together."))
    kind = models.CharField(max_length=16, choices=EventMeasureKind.choices, default=EventMeasureKind.COUNT)
    calibrated = models.BooleanField(default=True, help_text=_("Score against the segment's accounts that day."))
    auto = models.BooleanField(default=False, help_text=_("Picked for the default scorecard from the events seen."))
    created_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        ordering = ["label", "id"]

    def __str__(self) -> str:
        return str(self.label)

    @property
    def measure_key(self) -> str:
        return f"event:{self.slug}"


# Section: scores


class ScoreSource(models.TextChoices):
    MEASURES = "measures", _("Measures")
    OVERRIDE = "override", _("CSM override")
    ROLLUP = "rollup", _("Children (ARR-weighted)")


class HealthScoreQuerySet(models.QuerySet):
    def on(self, day):
        return self.filter(day=day)


class HealthScore(ChoiceLabelsMixin, models.Model):
    """One account's health on one day (UTC): the final `score` and `band` (after an
    override or a parent's roll-up), the `computed_score` from the measures, and each
    measure's raw value, score, weight and contribution in `measures`:
    {"usage_frequency": {"value": 12, "score": 70.0, "weight": 20, "contribution": 15.6}, ...}
    (value/score null = no data: its weight was spread over the others)."""

    # 100k rows a night: no foreign-key triggers on the COPY (written only by the recompute
    # with ids it just read; Django still cascades and nulls on delete), and no index of its
    # own on account (the unique (account, day) serves every lookup by account).
    account = models.ForeignKey(
        "accounts.Account",
        on_delete=models.CASCADE,
        related_name="health_scores",
        db_index=False,
        db_constraint=False,
    )
    day = models.DateField()
    scorecard = models.ForeignKey(
        Scorecard, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_constraint=False
    )
    score = models.PositiveSmallIntegerField()
    band = models.CharField(max_length=8, choices=HealthBand.choices)
    computed_score = models.PositiveSmallIntegerField(null=True, blank=True)
    source = models.CharField(max_length=8, choices=ScoreSource.choices, default=ScoreSource.MEASURES)
    measures = models.JSONField(default=dict)
    computed_at = models.DateTimeField(default=dj_timezone.now)

    objects = HealthScoreQuerySet.as_manager()

    class Meta:
        ordering = ["account_id", "-day"]
        indexes = [models.Index(fields=["day", "band"], name="healthscore_day_band")]
        constraints = [models.UniqueConstraint(fields=["account", "day"], name="healthscore_account_day")]

    def __str__(self) -> str:
        return f"{self.account_id} {self.day}: {self.score} {self.band}"


class HealthOverride(models.Model):
    """A CSM's override of an account's score, with a reason, until `expires_at` (or until
    cleared). The latest active one wins."""

    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="health_overrides")
    score = models.PositiveSmallIntegerField(validators=[MaxValueValidator(100)])
    reason = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=dj_timezone.now)
    expires_at = models.DateTimeField()
    cleared_at = models.DateTimeField(null=True, blank=True)
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # When the recompute after its end (expiry or clearing) announced it (health.signals.override_ended):
    # set once, so the floors above hear of each end once however often the recompute runs.
    settled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["account", "-created_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(expires_at__gt=models.F("created_at")), name="override_expires_after"),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} → {self.score} until {self.expires_at:%Y-%m-%d}"

    def is_active_at(self, moment) -> bool:
        return self.created_at <= moment < self.expires_at and (self.cleared_at is None or self.cleared_at > moment)


class CsmSentiment(models.Model):
    """The CSM's own read of an account, 1 (very unhappy) to 5 (very happy)."""

    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="csm_sentiments")
    value = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(5)])
    note = models.CharField(max_length=255, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        ordering = ["-recorded_at", "-id"]
        indexes = [models.Index(fields=["account", "-recorded_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(value__gte=1, value__lte=5), name="sentiment_1_to_5"),
        ]

    def __str__(self) -> str:
        return f"{self.account_id}: {self.value}"


class ChurnModel(models.Model):
    """A learned churn-risk model (logistic regression on the snapshot measures, see
    health.backtest.model), stored as plain coefficients so scoring an account needs no
    scikit-learn. The latest one scores (`churn_risk` in the API); one per `as_of` day."""

    trained_at = models.DateTimeField(default=dj_timezone.now)
    as_of = models.DateField(null=True, blank=True, help_text=_("The day whose history it was trained on."))
    horizon_days = models.PositiveSmallIntegerField(default=90)
    features = models.JSONField(default=list)  # measure keys, then "<key>__missing" flags
    coefficients = models.JSONField(default=list)
    intercept = models.FloatField(default=0.0)
    means = models.JSONField(default=list)
    scales = models.JSONField(default=list)
    # {"auc_test", "auc_scorecard_test", "held_out", "n_train", "churned_train", "n_test",
    #  "horizons": {"30": {"auc_test", "auc_scorecard_test", "test_start", ...}, "60": ..., "90": ...}}
    metrics = models.JSONField(default=dict)

    class Meta:
        ordering = ["-trained_at", "-id"]
        get_latest_by = "trained_at"

    def __str__(self) -> str:
        return f"Churn model {self.trained_at:%Y-%m-%d %H:%M}"


class NightlyRun(models.Model):
    """One night's fan-out of the recompute (health.tasks.health_nightly_task): when it started,
    how many chunks it sent, and when its finish step ran. The finish checks completeness
    (every account has the day's snapshot, else it recomputes the missing ones) and the
    morning check (health_nightly_check_task) runs the finish for a night whose chord never
    completed: a lost worker, a chunk that failed for good."""

    day = models.DateField(unique=True)
    chunks = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(default=dj_timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    recovered = models.PositiveIntegerField(
        default=0, help_text="Accounts the finish found without a snapshot and recomputed."
    )
    finished_by = models.CharField(max_length=20, blank=True)  # "chord" or "check"

    class Meta:
        ordering = ["-day"]

    def __str__(self) -> str:
        return f"Nightly {self.day}"
