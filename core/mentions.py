"""`@username` mentions in free text (timeline notes): one pattern for the floors that parse them
(notifications) and the one that renders them (accounts' timeline)."""

import re

__all__ = ["MENTION_RE", "mention_usernames"]

# Django's username characters (letters, digits and @ . + - _); a mention starts at the start of
# the text or after a character that cannot be part of an e-mail address, so "a@b.com" is none.
MENTION_RE = re.compile(r"(?<![\w@.+-])@([\w.+-]*[\w+-])")


def mention_usernames(text: str) -> list[str]:
    """The usernames mentioned in `text`, in order of first appearance, each once."""
    seen: dict[str, None] = {}
    for match in MENTION_RE.finditer(text or ""):
        seen.setdefault(match.group(1), None)
    return list(seen)
