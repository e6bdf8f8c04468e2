"""Usage: what customers' users do in the product (one row per event) and its daily rollups.

The tables were made by the accounts app (their names still say so: the models moved here
without moving data, usage migration 0001); their history is in accounts' migrations."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Account, Contact


class UsageEvent(models.Model):
    """One thing a customer's user did in the product. Tens of millions of rows: keep it lean.

    Written only through `usage.ingest.events_store` (COPY on PostgreSQL). On PostgreSQL the
    table is partitioned by month on `occurred_at` (accounts migration 0007; docs/decisions.md "Usage
    events table"). A repeated `message_id` is refused by `message_key`, a compact 64-bit key
    per message id and UTC day (usage.ingest.message_key), unique where it is set: on
    PostgreSQL by a unique index on each month partition (the key leads with the event's UTC
    day, so a key can only ever be in its event's month: unique per partition is unique over
    the table; accounts migration 0014), on SQLite by one unique index. The account and contact links
    carry no database constraint (ingest checks them; a per-row foreign-key trigger would halve
    COPY speed); Django still cascades deletes."""

    account = models.ForeignKey(
        Account,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
        verbose_name=_("account"),
    )
    contact = models.ForeignKey(
        Contact,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        db_constraint=False,
        verbose_name=_("contact"),
    )
    event = models.CharField(max_length=128, verbose_name=_("event"))
    occurred_at = models.DateTimeField(verbose_name=_("occurred at"))
    properties = models.JSONField(default=dict, blank=True, verbose_name=_("properties"))
    message_id = models.CharField(max_length=128, null=True, blank=True, verbose_name=_("message ID"))
    message_key = models.BigIntegerField(null=True, blank=True, editable=False, verbose_name=_("message key"))

    class Meta:
        verbose_name = _("usage event")
        verbose_name_plural = _("usage events")
        db_table = "accounts_usageevent"  # made by accounts before usage had its own app (no data moved)
        ordering = ["-occurred_at"]
        indexes = [models.Index(fields=["account", "occurred_at"], name="usage_account_time")]
        # On PostgreSQL one unique index per month partition instead (accounts migration 0014).
        constraints = [
            models.UniqueConstraint(
                fields=["message_key"], condition=models.Q(message_key__isnull=False), name="usage_message_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.event} @ {self.occurred_at:%Y-%m-%d %H:%M}"


class AccountDailyUsage(models.Model):
    """One account's usage on one UTC day, rolled up from UsageEvent by
    `usage.rollups.usage_rollup_refresh` (kept current at ingest). Health measures and
    usage triggers read these rows instead of the raw events: a 30-day window is ~30 small
    rows per account instead of every event. A day without events has no row.

    `contact_ids` (distinct contacts active that day) and `features` ({event name: count})
    keep what cannot be summed across days (distinct contacts, distinct features)."""

    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="+", db_index=False, verbose_name=_("account")
    )
    day = models.DateField(verbose_name=_("day"))
    events = models.PositiveIntegerField(default=0, verbose_name=_("events"))
    active_contacts = models.PositiveIntegerField(default=0, verbose_name=_("active contacts"))
    contact_ids = models.JSONField(default=list, blank=True, verbose_name=_("contact IDs"))
    features = models.JSONField(default=dict, blank=True, verbose_name=_("features"))

    class Meta:
        verbose_name = _("account daily usage")
        db_table = "accounts_accountdailyusage"  # made by accounts before usage had its own app (no data moved)
        ordering = ["account_id", "day"]
        verbose_name_plural = _("account daily usage")
        indexes = [models.Index(fields=["day", "account"], name="usage_rollup_day")]
        constraints = [models.UniqueConstraint(fields=["account", "day"], name="usage_rollup_account_day")]

    def __str__(self) -> str:
        return f"{self.account_id} {self.day}: {self.events}"


class AccountDailyContact(models.Model):
    """One contact active on one UTC day for one account: the narrow form of
    AccountDailyUsage.contact_ids, kept beside it by the same writers (usage.rollups).
    Distinct contacts over a window are an index-only scan of the unique (account, day,
    contact) index here, instead of unpacking a JSON array per day (~6x faster on 5,000
    accounts). A plain id primary key, not a composite one, so the Django admin can list it."""

    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="+", db_index=False, verbose_name=_("account")
    )
    day = models.DateField(verbose_name=_("day"))
    contact_id = models.BigIntegerField(
        verbose_name=_("contact ID")
    )  # like contact_ids: the id, no link (contacts may go)

    class Meta:
        verbose_name = _("account daily contact")
        verbose_name_plural = _("account daily contacts")
        db_table = "accounts_accountdailycontact"  # made by accounts before usage had its own app (no data moved)
        ordering = ["account_id", "day", "contact_id"]
        constraints = [
            models.UniqueConstraint(fields=["account", "day", "contact_id"], name="usage_contact_account_day")
        ]

    def __str__(self) -> str:
        return f"{self.account_id} {self.day}: {self.contact_id}"


class RollupDelta(models.Model):
    """What one batch of events adds to the daily rollups: `events` events named `event` by
    `contact_id` (or no contact) for `account` on UTC `day`. Written by ingest in the batch's own
    transaction, so a delta exists exactly when its events do; `usage.rollups_incremental`
    adds the deltas to AccountDailyUsage / AccountDailyContact and deletes them in one
    transaction (a retry finds what a failed run left, a finished run leaves nothing to count
    twice). Drained every few seconds, so the table stays small: no index but the primary key."""

    account = models.ForeignKey(
        Account,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
        verbose_name=_("account"),
    )
    day = models.DateField(verbose_name=_("day"))
    event = models.CharField(max_length=128, verbose_name=_("event"))
    contact_id = models.BigIntegerField(null=True, blank=True, verbose_name=_("contact ID"))
    events = models.PositiveIntegerField(verbose_name=_("events"))

    class Meta:
        verbose_name = _("usage rollup delta")
        verbose_name_plural = _("usage rollup deltas")

    def __str__(self) -> str:
        return f"{self.account_id} {self.day} {self.event}: +{self.events}"
