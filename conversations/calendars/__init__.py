"""Meetings from connected calendars: Google Calendar (`google`), Microsoft 365 (`graph`) and
CalDAV (`caldav_sync`) each turn their events into `EventData`; `store` matches the attendees to
a customer account and keeps the meeting and its timeline entry; `sync` runs one connection."""
