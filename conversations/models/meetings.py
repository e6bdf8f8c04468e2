"""Meetings synced from a connected calendar that have a customer among their attendees."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from .connections import ConnectedAccount


class Meeting(models.Model):
    """One calendar event (one instance of a recurring one) with a customer attendee.

    Upcoming meetings show on the account page and the CSM home with a prep card; once a meeting
    has started it is put on the account's timeline as a meeting (`activity`), which is a touch.
    `external_id` is the provider's id of the instance (Google's `id`, Graph's `id`, CalDAV's
    UID plus RECURRENCE-ID), unique per connection so a sync run twice stores it once.
    """

    connection = models.ForeignKey(ConnectedAccount, on_delete=models.CASCADE, related_name="meetings")
    external_id = models.CharField(max_length=500)
    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="meetings")
    contact = models.ForeignKey(
        "accounts.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="meetings"
    )
    title = models.CharField(max_length=255, blank=True)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    location = models.CharField(max_length=500, blank=True)
    organizer = models.CharField(max_length=254, blank=True)
    attendees = models.JSONField(default=list, blank=True)  # [{"email", "name"}], customers first
    activity = models.OneToOneField(
        "accounts.Activity", null=True, blank=True, on_delete=models.SET_NULL, related_name="meeting"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["connection", "external_id"], name="conversations_meeting_unique"),
        ]
        indexes = [
            models.Index(fields=["account", "starts_at"], name="meeting_account_start"),
            models.Index(fields=["starts_at"], name="meeting_start", condition=models.Q(activity__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"{self.title or self.external_id} ({self.starts_at:%Y-%m-%d %H:%M})"
