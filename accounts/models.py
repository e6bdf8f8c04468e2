"""Customer accounts and everything that happens to them: contacts, subscriptions (revenue),
support tickets, the timeline, personas and referrals. Usage events and their rollups live one
floor up, in the usage app.

Every timestamp here may be historical (imports bring a team's history), so none of them
defaults to "now" silently where an import would give a real value."""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext_lazy as _

from core.choice_labels import ChoiceLabelsMixin

from .choices import (
    ActivityKind,
    CostCategory,
    HealthBand,
    LifecycleStage,
    ReferralStatus,
    TicketPriority,
    TicketStatus,
    Tier,
)
from .team_models import AccountTeamMember, ReassignmentJob  # noqa: F401  (accounts' models, issue 17)

# Section: accounts


class Persona(models.Model):
    """A typical kind of customer user (most revenue falls in at most five)."""

    name = models.CharField(max_length=80, unique=True, verbose_name=_("name"))
    description = models.TextField(blank=True, verbose_name=_("description"))
    created_at = models.DateTimeField(default=dj_timezone.now, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("persona")
        verbose_name_plural = _("personas")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


# ARR in the base currency, highest first, accounts without a rate (NULL) last: an expression
# both the portfolio's ORDER BY and its index use (NULLS LAST is not portable to SQLite indexes).
BASE_ARR_SORT = Coalesce("mrr_base", models.Value(Decimal("-1"))).desc()


class AccountQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The accounts `user` may read (accounts.access: all of them unless
        CSM_READ_SCOPE = "team" narrows a CSM to their book)."""
        from .access import accounts_readable

        return accounts_readable(user, self)

    def writable_by(self, user):
        """The accounts `user` may write (accounts.access)."""
        from .access import accounts_writable

        return accounts_writable(user, self)

    def owned_by(self, user):
        return self.filter(owner=user)

    def paying(self):
        return self.filter(mrr__gt=0)


class Account(ChoiceLabelsMixin, models.Model):
    """A customer company.

    `mrr`, `renewal_date`, `health_*` and `last_touch_at` are denormalised copies kept by
    services (revenue refresh, health recompute, timeline) so that the portfolio can
    filter and sort 100k accounts on indexed columns. The source of truth stays in
    subscriptions, health snapshots and activities.
    """

    external_id = models.CharField(max_length=191, unique=True, verbose_name=_("external ID"))
    name = models.CharField(max_length=255, db_index=True, verbose_name=_("name"))
    domain = models.CharField(max_length=255, blank=True, verbose_name=_("domain"))
    industry = models.CharField(max_length=120, blank=True, verbose_name=_("industry"))
    tier = models.CharField(
        max_length=16, choices=Tier.choices, default=Tier.STANDARD, db_index=True, verbose_name=_("tier")
    )
    segment = models.CharField(max_length=64, blank=True, db_index=True, verbose_name=_("segment"))
    lifecycle_stage = models.CharField(
        max_length=16,
        choices=LifecycleStage.choices,
        default=LifecycleStage.ONBOARDING,
        db_index=True,
        verbose_name=_("lifecycle stage"),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="accounts",
        verbose_name=_("owner"),
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children", verbose_name=_("parent")
    )
    currency = models.CharField(max_length=3, default="USD", verbose_name=_("currency"))
    custom_fields = models.JSONField(default=dict, blank=True, verbose_name=_("custom fields"))
    stripe_customer_id = models.CharField(
        max_length=64, blank=True, db_index=True, verbose_name=_("Stripe customer ID")
    )
    created_at = models.DateTimeField(default=dj_timezone.now, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    # Denormalised, see the docstring.
    mrr = models.DecimalField(
        max_digits=14, decimal_places=2, default=Decimal("0"), db_index=True, verbose_name=_("MRR")
    )
    renewal_date = models.DateField(null=True, blank=True, db_index=True, verbose_name=_("renewal date"))
    health_score = models.PositiveSmallIntegerField(
        null=True, blank=True, db_index=True, verbose_name=_("health score")
    )
    health_band = models.CharField(
        max_length=8, choices=HealthBand.choices, blank=True, db_index=True, verbose_name=_("health band")
    )
    health_change_7d = models.SmallIntegerField(null=True, blank=True, verbose_name=_("health change over 7 days"))
    last_touch_at = models.DateTimeField(null=True, blank=True, db_index=True, verbose_name=_("last touch at"))
    # MRR converted to settings.BASE_CURRENCY at this month's rates (accounts.currency); null
    # when a rate is missing, so sums leave the account out and say so.
    mrr_base = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True, verbose_name=_("MRR in the base currency")
    )

    objects = AccountQuerySet.as_manager()

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        ordering = ["name"]
        indexes = [
            models.Index(fields=["owner", "name"]),
            models.Index(fields=["-mrr", "id"], name="account_mrr_desc"),
            # the portfolio's default sort: ARR in the base currency, unknown (no rate) last
            models.Index(BASE_ARR_SORT, "id", name="account_mrr_base_desc"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def arr(self) -> Decimal:
        return self.mrr * 12

    @property
    def arr_base(self) -> Decimal | None:
        return None if self.mrr_base is None else self.mrr_base * 12

    @property
    def days_to_renewal(self) -> int | None:
        if self.renewal_date is None:
            return None
        return (self.renewal_date - dj_timezone.now().date()).days


class Contact(models.Model):
    """A person at a customer (an end user of the company's product). Never logs in here."""

    external_id = models.CharField(max_length=191, unique=True, verbose_name=_("external ID"))
    account = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("account")
    )
    name = models.CharField(max_length=255, blank=True, verbose_name=_("name"))
    email = models.EmailField(max_length=254, blank=True, db_index=True, verbose_name=_("email"))
    title = models.CharField(max_length=255, blank=True, verbose_name=_("title"))
    persona = models.ForeignKey(
        Persona, null=True, blank=True, on_delete=models.SET_NULL, related_name="contacts", verbose_name=_("persona")
    )
    language = models.CharField(max_length=16, default="en", verbose_name=_("language"))
    timezone = models.CharField(max_length=64, blank=True, verbose_name=_("timezone"))
    birthday = models.DateField(null=True, blank=True, verbose_name=_("birthday"))
    last_seen_at = models.DateTimeField(null=True, blank=True, verbose_name=_("last seen at"))
    custom_fields = models.JSONField(default=dict, blank=True, verbose_name=_("custom fields"))
    created_at = models.DateTimeField(default=dj_timezone.now, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["account", "last_seen_at"])]

    def __str__(self) -> str:
        return self.name or self.email or self.external_id


# Section: revenue


class SubscriptionQuerySet(models.QuerySet):
    def active_on(self, day: date):
        """Subscriptions covering `day`: start <= day < end (end is exclusive, null = open)."""
        return self.filter(Q(end_date__isnull=True) | Q(end_date__gt=day), start_date__lte=day)

    def paid(self):
        return self.filter(is_trial=False)


class Subscription(models.Model):
    """What an account pays for over [start_date, end_date). Trials count 0 MRR."""

    external_id = models.CharField(max_length=191, null=True, blank=True, unique=True, verbose_name=_("external ID"))
    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="subscriptions", verbose_name=_("account")
    )
    plan = models.CharField(max_length=120, verbose_name=_("plan"))
    mrr = models.DecimalField(max_digits=14, decimal_places=2, verbose_name=_("MRR"))
    currency = models.CharField(max_length=3, default="USD", verbose_name=_("currency"))
    seats = models.PositiveIntegerField(null=True, blank=True, verbose_name=_("seats"))
    entitlements = models.JSONField(
        default=dict,
        blank=True,
        help_text=_('Plan limits, e.g. {"reports": 100, "api_calls": 100000}.'),
        verbose_name=_("entitlements"),
    )
    start_date = models.DateField(verbose_name=_("start date"))
    end_date = models.DateField(
        null=True, blank=True, help_text=_("Exclusive; empty while open."), verbose_name=_("end date")
    )
    is_trial = models.BooleanField(default=False, verbose_name=_("trial"))
    canceled_at = models.DateTimeField(null=True, blank=True, verbose_name=_("canceled at"))
    created_at = models.DateTimeField(default=dj_timezone.now, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        ordering = ["account_id", "start_date", "id"]
        indexes = [
            models.Index(fields=["account", "start_date"]),
            models.Index(fields=["end_date"]),
            models.Index(fields=["currency"], name="subscription_currency"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(mrr__gte=0), name="subscription_mrr_not_negative"),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gt=models.F("start_date")),
                name="subscription_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan} ({self.account_id})"

    @property
    def effective_mrr(self) -> Decimal:
        return Decimal("0") if self.is_trial else self.mrr

    def is_active_on(self, day: date) -> bool:
        return self.start_date <= day and (self.end_date is None or day < self.end_date)


# Section: currency


class FxRate(models.Model):
    """A monthly exchange rate: 1 unit of `currency` = `rate` units of settings.BASE_CURRENCY
    during `month` (its first day). Conversion rules: accounts.currency, docs/metrics.md."""

    currency = models.CharField(max_length=3, verbose_name=_("currency"))
    month = models.DateField(help_text=_("The first day of the month the rate applies to."), verbose_name=_("month"))
    rate = models.DecimalField(
        max_digits=20, decimal_places=10, help_text=_("1 unit of currency = rate x base."), verbose_name=_("rate")
    )
    source = models.CharField(
        max_length=32, blank=True, help_text=_("api, upload, ecb, admin, demo."), verbose_name=_("source")
    )
    updated_at = models.DateTimeField(default=dj_timezone.now, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        ordering = ["-month", "currency"]
        constraints = [
            models.UniqueConstraint(fields=["currency", "month"], name="fxrate_currency_month"),
            models.CheckConstraint(condition=Q(rate__gt=0), name="fxrate_rate_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.currency} {self.month:%Y-%m} = {self.rate}"


class PaymentFailure(models.Model):
    """A failed payment (Stripe `invoice.payment_failed`, or reported by API) until it is
    recovered (`invoice.paid`, or the API): open failures are the payment-risk signal."""

    external_id = models.CharField(
        max_length=191,
        null=True,
        blank=True,
        unique=True,
        help_text=_("E.g. the invoice id."),
        verbose_name=_("external ID"),
    )
    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="payment_failures", verbose_name=_("account")
    )
    amount = models.DecimalField(max_digits=14, decimal_places=2, verbose_name=_("amount"))
    currency = models.CharField(max_length=3, default="USD", verbose_name=_("currency"))
    failed_at = models.DateTimeField(verbose_name=_("failed at"))
    recovered_at = models.DateTimeField(null=True, blank=True, verbose_name=_("recovered at"))
    source = models.CharField(max_length=16, default="api", verbose_name=_("source"))
    created_at = models.DateTimeField(default=dj_timezone.now, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("payment failure")
        verbose_name_plural = _("payment failures")
        ordering = ["-failed_at", "id"]
        indexes = [models.Index(fields=["account", "recovered_at"], name="paymentfailure_open")]
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0), name="paymentfailure_amount_not_negative")]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency} failed {self.failed_at:%Y-%m-%d}"

    @property
    def is_open(self) -> bool:
        return self.recovered_at is None


# Section: support


class SupportTicket(models.Model):
    external_id = models.CharField(max_length=191, unique=True, verbose_name=_("external ID"))
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="tickets", verbose_name=_("account"))
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="tickets", verbose_name=_("contact")
    )
    subject = models.CharField(max_length=255, blank=True, verbose_name=_("subject"))
    opened_at = models.DateTimeField(verbose_name=_("opened at"))
    first_response_at = models.DateTimeField(null=True, blank=True, verbose_name=_("first response at"))
    resolved_at = models.DateTimeField(null=True, blank=True, verbose_name=_("resolved at"))
    agent_replies = models.PositiveIntegerField(default=0, verbose_name=_("agent replies"))
    priority = models.CharField(
        max_length=8, choices=TicketPriority.choices, default=TicketPriority.NORMAL, verbose_name=_("priority")
    )
    status = models.CharField(
        max_length=8, choices=TicketStatus.choices, default=TicketStatus.OPEN, verbose_name=_("status")
    )
    escalated = models.BooleanField(default=False, verbose_name=_("escalated"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("support ticket")
        verbose_name_plural = _("support tickets")
        ordering = ["-opened_at"]
        indexes = [
            models.Index(fields=["account", "opened_at"]),
            models.Index(fields=["resolved_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(first_response_at__isnull=True) | Q(first_response_at__gte=models.F("opened_at")),
                name="ticket_response_after_open",
            ),
            models.CheckConstraint(
                condition=Q(resolved_at__isnull=True) | Q(resolved_at__gte=models.F("opened_at")),
                name="ticket_resolved_after_open",
            ),
        ]

    def __str__(self) -> str:
        return self.subject or self.external_id


# Section: timeline


class Activity(ChoiceLabelsMixin, models.Model):
    """One entry on an account's timeline: a CSM's note, call, meeting or email, a completed
    task, or something the system did (a playbook fired, a survey was answered)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="activities", verbose_name=_("account"))
    kind = models.CharField(
        max_length=8, choices=ActivityKind.choices, default=ActivityKind.NOTE, verbose_name=_("kind")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activities",
        verbose_name=_("author"),
    )
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="activities", verbose_name=_("contact")
    )
    subject = models.CharField(max_length=255, blank=True, verbose_name=_("subject"))
    body = models.TextField(blank=True, verbose_name=_("body"))
    occurred_at = models.DateTimeField(default=dj_timezone.now, verbose_name=_("occurred at"))
    metadata = models.JSONField(default=dict, blank=True, verbose_name=_("metadata"))
    created_at = models.DateTimeField(default=dj_timezone.now, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("activity")
        ordering = ["-occurred_at", "-id"]
        verbose_name_plural = _("activities")
        indexes = [
            models.Index(fields=["account", "-occurred_at"], name="activity_account_time"),
            # the timeline filter by kind (accounts.timeline)
            models.Index(fields=["account", "kind", "-occurred_at"], name="activity_account_kind_time"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.subject or self.body[:40]}"


# Section: advocacy and costs


class Referral(models.Model):
    """A referral recorded against the account that made it (advocacy; counts in CS ROI)."""

    referring_account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="referrals_made", verbose_name=_("referring account")
    )
    referred_account = models.ForeignKey(
        Account,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="referred_by",
        verbose_name=_("referred account"),
    )
    referred_name = models.CharField(max_length=255, blank=True, verbose_name=_("referred name"))
    status = models.CharField(
        max_length=8, choices=ReferralStatus.choices, default=ReferralStatus.PENDING, verbose_name=_("status")
    )
    revenue = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"), verbose_name=_("revenue"))
    created_at = models.DateTimeField(default=dj_timezone.now, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.referring_account_id} → {self.referred_name or self.referred_account_id}"


class CostEntry(models.Model):
    """What customer success costs over a period (staff, tools, loyalty programmes): CRC and CS ROI."""

    period_start = models.DateField(verbose_name=_("period start"))
    period_end = models.DateField(verbose_name=_("period end"))
    amount = models.DecimalField(max_digits=14, decimal_places=2, verbose_name=_("amount"))
    category = models.CharField(
        max_length=8, choices=CostCategory.choices, default=CostCategory.OTHER, verbose_name=_("category")
    )
    note = models.CharField(max_length=255, blank=True, verbose_name=_("note"))
    created_at = models.DateTimeField(default=dj_timezone.now, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("cost entry")
        ordering = ["-period_start"]
        verbose_name_plural = _("cost entries")
        indexes = [models.Index(fields=["period_start"])]
        constraints = [
            models.CheckConstraint(condition=Q(period_end__gt=models.F("period_start")), name="cost_period_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.category} {self.amount} ({self.period_start}–{self.period_end})"


# Section: touch cadence


class TouchCadence(models.Model):
    """How often a CSM should touch an account of a tier (DESIGN.md "Touch cadence"): the most
    important accounts several times a week, key accounts weekly, the long tail monthly or by
    automated tech-touch. The portfolio shows "touch due" from it; playbooks' "no CSM touch"
    trigger reads it too. A tier without a row falls back to DEFAULT_DAYS."""

    DEFAULT_DAYS = {Tier.STRATEGIC: 3, Tier.KEY: 7, Tier.STANDARD: 30, Tier.TECH_TOUCH: 90}

    tier = models.CharField(max_length=16, choices=Tier.choices, unique=True, verbose_name=_("tier"))
    every_days = models.PositiveSmallIntegerField(
        help_text=_("A CSM touch (note, call, meeting, email) is due this often."), verbose_name=_("every (days)")
    )
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("touch cadence")
        verbose_name_plural = _("touch cadences")
        ordering = ["every_days", "tier"]
        constraints = [models.CheckConstraint(condition=Q(every_days__gte=1), name="touch_cadence_days_positive")]

    def __str__(self) -> str:
        return f"{self.get_tier_display()}: every {self.every_days} days"

    @classmethod
    def days_by_tier(cls) -> dict[str, int]:
        """{tier: every_days} for every tier, stored rows over the defaults (one query)."""
        days = {str(tier): d for tier, d in cls.DEFAULT_DAYS.items()}
        days.update(dict(cls.objects.values_list("tier", "every_days")))
        return days


# Section: the app's models kept in modules of their own (intake_models: CSV imports, Stripe events)

from .custom_fields.models import CustomFieldDefinition  # noqa: E402, F401
from .intake_models import ImportJob, StripeEvent  # noqa: E402, F401  (CSV imports, Stripe events)
from .saved_views.models import SavedView  # noqa: E402, F401
