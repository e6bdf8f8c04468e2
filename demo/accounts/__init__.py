"""The accounts step of `seed_demo` (see demo.accounts.step): the team, the customer base and
12 months of its history.

- team: the CS team and its password;
- vocabulary: names, segments, tiers, languages, personas, events, tickets, notes;
- draws, planner: one account planned from its own generator (AccountPlan, Planner);
- chunks: a chunk of planned accounts written to every table (ChunkWriter);
- step: the step itself (seed_accounts), costs and referrals.
"""

from .chunks import ChunkWriter
from .planner import HISTORY_DAYS, AccountPlan, Planner
from .step import CHUNK, seed_accounts
from .team import DEMO_PASSWORD, ENTERPRISE_POD, SCALE_POD, TEAM, demo_team_ensure

__all__ = [
    "CHUNK",
    "DEMO_PASSWORD",
    "ENTERPRISE_POD",
    "HISTORY_DAYS",
    "SCALE_POD",
    "TEAM",
    "AccountPlan",
    "ChunkWriter",
    "Planner",
    "demo_team_ensure",
    "seed_accounts",
]
