"""Conversations' models, one module per area (h7: e-mail in `mail`)."""

from .mail import ImapMailbox, InboundSettings, MailMessage, MailThread, ThreadKey

__all__ = ["ImapMailbox", "InboundSettings", "MailMessage", "MailThread", "ThreadKey"]
