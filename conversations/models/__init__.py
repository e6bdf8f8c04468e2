"""Conversations' models, one module per area (h7: e-mail in `mail`; h8: connections, meetings)."""

from .connections import ConnectedAccount, ConnectionStatus, Provider
from .mail import ImapMailbox, InboundSettings, MailMessage, MailThread, ThreadKey
from .meetings import Meeting

__all__ = [
    "ConnectedAccount",
    "ConnectionStatus",
    "ImapMailbox",
    "InboundSettings",
    "MailMessage",
    "MailThread",
    "Meeting",
    "Provider",
    "ThreadKey",
]
