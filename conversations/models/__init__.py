from .connections import ConnectedAccount, ConnectionStatus, Provider
from .meetings import Meeting

__all__ = ["ConnectedAccount", "ConnectionStatus", "Meeting", "Provider"]
