"""Django admin for every accounts model. Large tables (events, rollups) use raw id widgets,
no counts in the changelist, and read-only rows: they are written by ingestion, not by hand."""

from django.contrib import admin

from . import models


class ReadOnlyAdmin(admin.ModelAdmin):
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ContactInline(admin.TabularInline):
    model = models.Contact
    fields = ("name", "email", "title", "persona", "language", "last_seen_at")
    extra = 0
    show_change_link = True
    max_num = 0
    can_delete = False
    readonly_fields = fields


class SubscriptionInline(admin.TabularInline):
    model = models.Subscription
    fields = ("plan", "mrr", "seats", "start_date", "end_date", "is_trial")
    extra = 0


@admin.register(models.Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "external_id",
        "owner",
        "tier",
        "segment",
        "lifecycle_stage",
        "mrr",
        "renewal_date",
        "health_score",
    )
    list_filter = ("tier", "segment", "lifecycle_stage", "health_band")
    search_fields = ("name", "domain", "external_id")
    raw_id_fields = ("owner", "parent")
    readonly_fields = (
        "mrr",
        "renewal_date",
        "health_score",
        "health_band",
        "health_change_7d",
        "last_touch_at",
        "updated_at",
    )
    inlines = [SubscriptionInline, ContactInline]
    list_select_related = ("owner",)
    show_full_result_count = False


@admin.register(models.Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ("name", "email", "account", "title", "persona", "language", "last_seen_at")
    list_filter = ("language", "persona")
    search_fields = ("name", "email", "external_id")
    raw_id_fields = ("account",)
    list_select_related = ("account", "persona")
    show_full_result_count = False


@admin.register(models.Persona)
class PersonaAdmin(admin.ModelAdmin):
    list_display = ("name", "description")
    search_fields = ("name",)


@admin.register(models.Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ("account", "plan", "mrr", "seats", "start_date", "end_date", "is_trial")
    list_filter = ("plan", "is_trial")
    search_fields = ("account__name", "external_id")
    raw_id_fields = ("account",)
    list_select_related = ("account",)
    show_full_result_count = False


@admin.register(models.SupportTicket)
class SupportTicketAdmin(admin.ModelAdmin):
    list_display = (
        "external_id",
        "account",
        "subject",
        "priority",
        "status",
        "opened_at",
        "resolved_at",
        "agent_replies",
    )
    list_filter = ("priority", "status", "escalated")
    search_fields = ("external_id", "subject", "account__name")
    raw_id_fields = ("account", "contact")
    list_select_related = ("account",)
    show_full_result_count = False


@admin.register(models.Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ("occurred_at", "account", "kind", "subject", "author")
    list_filter = ("kind",)
    search_fields = ("subject", "body", "account__name")
    raw_id_fields = ("account", "author", "contact")
    list_select_related = ("account", "author")
    show_full_result_count = False


@admin.register(models.Referral)
class ReferralAdmin(admin.ModelAdmin):
    list_display = ("referring_account", "referred_name", "referred_account", "status", "revenue", "created_at")
    list_filter = ("status",)
    raw_id_fields = ("referring_account", "referred_account")


@admin.register(models.CostEntry)
class CostEntryAdmin(admin.ModelAdmin):
    list_display = ("period_start", "period_end", "category", "amount", "note")
    list_filter = ("category",)


@admin.register(models.FxRate)
class FxRateAdmin(ReadOnlyAdmin):
    """Read here; written through accounts.currency (the rates page, the API, fx_rates_load) so the
    base-currency MRR and the reports follow."""

    list_display = ("month", "currency", "rate", "source", "updated_at")
    list_filter = ("currency", "source")


@admin.register(models.PaymentFailure)
class PaymentFailureAdmin(ReadOnlyAdmin):
    list_display = ("account", "amount", "currency", "failed_at", "recovered_at", "source")
    list_filter = ("source",)
    raw_id_fields = ("account",)


@admin.register(models.TouchCadence)
class TouchCadenceAdmin(admin.ModelAdmin):
    list_display = ("tier", "every_days", "updated_at")


for name in ("ImportJob", "StripeEvent"):
    model = getattr(models, name, None)
    if model is not None and not admin.site.is_registered(model):
        admin.site.register(model, ReadOnlyAdmin if name != "ImportJob" else admin.ModelAdmin)


@admin.register(models.AccountTeamMember)
class AccountTeamMemberAdmin(admin.ModelAdmin):
    list_display = ("account", "user", "role", "created_at")
    list_filter = ("role",)
    raw_id_fields = ("account", "user")
    search_fields = ("account__name", "user__username")


@admin.register(models.ReassignmentJob)
class ReassignmentJobAdmin(ReadOnlyAdmin):
    list_display = ("id", "to_owner", "created_by", "status", "total", "done", "created_at", "undone_at")
    list_filter = ("status",)
