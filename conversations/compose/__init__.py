"""Writing to customers from the product: compose (one e-mail per contact, in the contact's
language, by SMTP, within the fatigue budget when marketing-like, on the timeline as a touch) and
opt-in open / click tracking (signed pixel and redirect links)."""

from .services import ComposeResult, email_compose_send
from .tracking import click_record, open_record

__all__ = ["ComposeResult", "click_record", "email_compose_send", "open_record"]
