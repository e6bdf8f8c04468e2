"""Conversations' models, one module per area (e-mail in `mail`; connections, meetings; Slack and
Teams in `slack`)."""

from .connections import ConnectedAccount, ConnectionStatus, Provider
from .mail import ImapMailbox, InboundSettings, MailMessage, MailThread, ThreadKey
from .meetings import Meeting
from .slack import ChatDelivery, SlackUserLink, SlackWorkspace, TeamsWebhook

__all__ = [
    "ChatDelivery",
    "ConnectedAccount",
    "ConnectionStatus",
    "ImapMailbox",
    "InboundSettings",
    "MailMessage",
    "MailThread",
    "Meeting",
    "Provider",
    "SlackUserLink",
    "SlackWorkspace",
    "TeamsWebhook",
    "ThreadKey",
]
