from .slack import ChatDelivery, SlackUserLink, SlackWorkspace, TeamsWebhook

__all__ = ["ChatDelivery", "SlackUserLink", "SlackWorkspace", "TeamsWebhook"]
