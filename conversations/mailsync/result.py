from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class MailSyncResult:
    """What one mailbox sync did: messages fetched, and what the inbound path made of them."""

    full: bool = False
    fetched: int = 0
    outcomes: dict = field(default_factory=dict)  # outcome name -> count
    cursor: dict = field(default_factory=dict)

    def count(self, outcome) -> None:
        name = str(getattr(outcome, "status", None) or getattr(outcome, "outcome", None) or outcome or "none")
        self.outcomes[name] = self.outcomes.get(name, 0) + 1
