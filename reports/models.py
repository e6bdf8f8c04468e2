"""Pre-aggregates for the dashboards. Each table is the *stored output* of an exact service
one floor down (usage.metrics, health snapshots), grouped by (segment, tier, owner_id) so
that any slice of segment / tier / CSM is a SUM over a few hundred rows. The services stay the
source of truth: reports/services.py writes these rows by calling them, and the tests check
that the pre-aggregate agrees with the live figures.

Group keys are copies of the account's current segment, tier and owner (no foreign key: a
deleted user must not delete history; an unknown owner id just matches no filter)."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from core.signed_links import signed_link_nonce, signed_link_usable


class GroupedRow(models.Model):
    segment = models.CharField(max_length=64, blank=True)
    tier = models.CharField(max_length=16, blank=True)
    owner_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        abstract = True


class MetricCube(GroupedRow):
    """usage.metrics.metric_components + usage_components for one period [start, end) and
    one (segment, tier, owner) group."""

    start = models.DateField()
    end = models.DateField()
    # revenue (money)
    mrr_start = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    mrr_end = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    mrr_new = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    mrr_reactivation = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    mrr_expansion = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    mrr_contraction = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    mrr_churned = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    # counts
    revenue_accounts = models.IntegerField(default=0)
    accounts_active_start = models.IntegerField(default=0)
    accounts_active_end = models.IntegerField(default=0)
    accounts_churned = models.IntegerField(default=0)
    renewals_due = models.IntegerField(default=0)
    renewals_renewed = models.IntegerField(default=0)
    trials_ended = models.IntegerField(default=0)
    trials_converted = models.IntegerField(default=0)
    tickets_resolved = models.IntegerField(default=0)
    tickets_resolved_one_reply = models.IntegerField(default=0)
    tickets_responded = models.IntegerField(default=0)
    response_hours_sum = models.FloatField(default=0)
    # usage
    contact_days = models.IntegerField(default=0)
    wau = models.IntegerField(default=0)
    mau = models.IntegerField(default=0)
    usage_accounts = models.IntegerField(default=0)
    feature_accounts = models.IntegerField(default=0)
    window_days = models.IntegerField(default=0)
    # survey answers submitted in the period (surveys.metrics.score_aggregates, summable)
    nps_responses = models.IntegerField(default=0)
    promoters = models.IntegerField(default=0)
    detractors = models.IntegerField(default=0)
    csat_responses = models.IntegerField(default=0)
    csat_satisfied = models.IntegerField(default=0)
    ces_responses = models.IntegerField(default=0)
    ces_sum = models.FloatField(default=0)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["start", "end", "segment", "tier", "owner_id"]
        indexes = [models.Index(fields=["start", "end", "owner_id"], name="metriccube_period")]

    def __str__(self) -> str:
        return f"{self.start}..{self.end} {self.segment}/{self.tier}/{self.owner_id}"


class CohortCell(GroupedRow):
    """usage.metrics.cohort_cells for the cohorts as of `as_of` (base cells have day None)."""

    as_of = models.DateField()
    months = models.PositiveSmallIntegerField()
    cohort = models.DateField()
    day = models.DateField(null=True, blank=True)
    size = models.IntegerField(default=0)
    active = models.IntegerField(default=0)
    mrr = models.DecimalField(max_digits=16, decimal_places=2, default=0)

    class Meta:
        ordering = ["cohort", "day"]
        indexes = [models.Index(fields=["as_of", "months"], name="cohortcell_asof")]

    def __str__(self) -> str:
        return f"{self.cohort} @ {self.day}: {self.active}"


class HealthBandDaily(GroupedRow):
    """Accounts (and their MRR today) per health band per day, from health's HealthScore
    snapshots: the health trend chart without scanning a snapshot per account per day."""

    day = models.DateField()
    band = models.CharField(max_length=8)
    accounts = models.IntegerField(default=0)

    class Meta:
        ordering = ["day", "band"]
        indexes = [models.Index(fields=["day"], name="healthbanddaily_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.band}: {self.accounts}"


class RefreshLog(models.Model):
    """One row per pre-aggregate refresh: what it covered and how long it took."""

    as_of = models.DateField()
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    periods = models.PositiveIntegerField(default=0)
    rows = models.PositiveIntegerField(default=0)
    cube_periods = models.JSONField(default=list, blank=True, help_text="[[start, end], ...] in the metric cube.")
    segments = models.JSONField(default=list, blank=True, help_text="Account segments at the refresh.")

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"refresh {self.as_of} at {self.started_at:%Y-%m-%d %H:%M}"


class CohortTTFV(GroupedRow):
    """onboarding.metrics.ttfv per cohort month and group: how many accounts, how many reached
    first value, and a histogram {days: accounts} of their TTFV. Histograms add up across
    groups, so the median of any slice is exact (a median itself would not add up)."""

    as_of = models.DateField()
    cohort = models.DateField()
    accounts = models.IntegerField(default=0)
    reached = models.IntegerField(default=0)
    days_histogram = models.JSONField(default=dict)

    class Meta:
        ordering = ["cohort"]
        indexes = [models.Index(fields=["as_of"], name="cohortttfv_asof")]

    def __str__(self) -> str:
        return f"{self.cohort}: {self.reached}/{self.accounts}"


class FeatureUse(GroupedRow):
    """usage.metrics.feature_use_counts for one cube period and group: paying accounts that
    used `feature` in [start, end). Adoption = accounts / MetricCube.accounts_active_end."""

    start = models.DateField()
    end = models.DateField()
    feature = models.CharField(max_length=128)
    accounts = models.IntegerField(default=0)

    class Meta:
        ordering = ["start", "end", "feature"]
        indexes = [models.Index(fields=["start", "end"], name="featureuse_period")]

    def __str__(self) -> str:
        return f"{self.start}..{self.end} {self.feature}: {self.accounts}"


class ExpansionSignal(models.Model):
    """usage.metrics.expansion_signals for every account as of `as_of` (usage at 80 % or
    more of a plan limit over the 30 days to that day), so the CSM home reads a few rows."""

    as_of = models.DateField()
    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="+")
    owner_id = models.BigIntegerField(null=True, blank=True)
    account_name = models.CharField(max_length=255)
    what = models.CharField(max_length=128)
    used = models.FloatField()
    limit = models.FloatField()
    ratio = models.FloatField()

    class Meta:
        ordering = ["-ratio", "account_name", "what"]
        indexes = [models.Index(fields=["owner_id", "-ratio"], name="expansionsignal_owner")]

    def __str__(self) -> str:
        return f"{self.account_name} {self.what} {self.ratio:.0%}"


# Section: value reports (QBR / EBR)

VALUE_SECTIONS = ("health", "adoption", "goals", "ttfv", "support", "nps", "outcomes")


class ValueReport(models.Model):
    """A value report (QBR / EBR) for one account over [start, end): the figures are read when
    it is shown (reports.value), the CSM writes the customer's outcomes and may rename each
    section per language (`headings`: {language: {section: text}}; a missing one is the
    translated default)."""

    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="value_reports")
    title = models.CharField(max_length=200)
    start = models.DateField()
    end = models.DateField()
    outcomes = models.TextField(blank=True)
    headings = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-end", "-id"]
        indexes = [models.Index(fields=["account", "-end"], name="valuereport_account")]
        constraints = [models.CheckConstraint(condition=models.Q(end__gt=models.F("start")), name="valuereport_period")]

    def __str__(self) -> str:
        return self.title


class ValueReportLink(models.Model):
    """A link that shows the report to the customer, in `language`, until it expires or is
    revoked (core.signed_links, the mechanism of shared success plans)."""

    report = models.ForeignKey(ValueReport, on_delete=models.CASCADE, related_name="links")
    language = models.CharField(max_length=16, default="en")
    nonce = models.CharField(max_length=32, default=signed_link_nonce)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_viewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Link {self.pk} to value report {self.report_id}"

    def is_usable(self, now=None) -> bool:
        return signed_link_usable(self, now)
