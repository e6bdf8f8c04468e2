"""Django admin for the usage tables: large, written by ingestion, so read-only rows with raw id
widgets and no counts in the changelist."""

from django.contrib import admin

from accounts.admin import ReadOnlyAdmin

from . import models


@admin.register(models.UsageEvent)
class UsageEventAdmin(ReadOnlyAdmin):
    list_display = ("occurred_at", "account", "contact", "event", "message_id")
    raw_id_fields = ("account", "contact")
    list_select_related = ("account", "contact")


@admin.register(models.AccountDailyUsage)
class AccountDailyUsageAdmin(ReadOnlyAdmin):
    list_display = ("day", "account", "events", "active_contacts")
    list_select_related = ("account",)
    raw_id_fields = ("account",)


@admin.register(models.AccountDailyContact)
class AccountDailyContactAdmin(ReadOnlyAdmin):
    list_display = ("day", "account", "contact_id")
    list_select_related = ("account",)
    raw_id_fields = ("account",)
