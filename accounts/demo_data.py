"""The accounts step of `seed_demo`: the team, the customer base and 12 months of its history.

What it makes, deterministically for a seed (every account draws from its own generator, so an
account's data does not depend on how many came before it or on the chunk size):

- the CS team: an admin, two managers, eight CSMs (enterprise pod: strategic and key accounts;
  scale pod: standard and tech-touch), a read-only viewer; one password (DEMO_PASSWORD);
- accounts in segments Enterprise / Mid-Market / SMB with tiers and MRR to match, industries,
  a home language (some ar, fa, zh...), a few parent/child hierarchies;
- contacts with personas, titles, languages and time zones;
- subscriptions: trials (most converting), annual terms with renewals and price uplifts,
  mid-term upgrades and downgrades, monthly self-serve plans, and churn at the anniversary;
- 12 months of usage events whose volume follows tier and seats; accounts that churn (and
  the at-risk ones that are about to) fade out over the months before, so usage predicts churn;
- support tickets (more of them, and more escalations, while an account struggles);
- the timeline: CSM notes, calls, meetings and emails at each tier's cadence (some accounts
  left overdue), and system entries for trials, renewals, plan changes and churn;
- monthly CS cost entries and a few referrals.

Writes go straight to the tables in bulk: PostgreSQL COPY (psycopg 3 `cursor.copy`) or SQLite
`executemany`, in chunks of accounts, so N=100,000 with ~20M events takes minutes. On PostgreSQL
a writer thread runs the COPYs while Python builds the next chunk (`CopyStream`), rows get their
ids from the seed (`IdBlock`), and the events and daily usage go in as binary rows built by
NumPy (`EventRecords`, `UsageRecords`); see docs/foundation.md. Columns this module does not
know (added later by another floor) get their model default.
"""

import functools
import json
import math
import random
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import numpy as np
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.utils import timezone

from core.choices import Role
from core.models import User
from usage.ingest import PG_COPY_SIGNATURE, PG_COPY_TRAILER
from usage.models import AccountDailyContact, AccountDailyUsage, UsageEvent

from .choices import ActivityKind, LifecycleStage, TicketPriority, TicketStatus, Tier
from .demo import DemoContext
from .models import (
    Account,
    Activity,
    Contact,
    CostEntry,
    Persona,
    Referral,
    Subscription,
    SupportTicket,
)

DEMO_PASSWORD = "demo1234"
HISTORY_DAYS = 365
CHUNK = 1000  # accounts per write batch

# Section: the team

# (username, first, last, role, title, manager username)
TEAM = [
    ("admin", "Alex", "Morgan", Role.ADMIN, "Head of CS Operations", None),
    ("manager", "Priya", "Raman", Role.MANAGER, "Director, Enterprise CS", None),
    ("manager2", "Daniel", "Okafor", Role.MANAGER, "Manager, Scale CS", None),
    ("csm1", "Sofia", "Lindqvist", Role.CSM, "Senior CSM", "manager"),
    ("csm2", "Marcus", "Chen", Role.CSM, "Senior CSM", "manager"),
    ("csm3", "Amara", "Haddad", Role.CSM, "CSM", "manager"),
    ("csm4", "Jonas", "Weber", Role.CSM, "CSM", "manager"),
    ("csm5", "Lucia", "Fernández", Role.CSM, "CSM, Scale", "manager2"),
    ("csm6", "Omar", "Nasser", Role.CSM, "CSM, Scale", "manager2"),
    ("csm7", "Hannah", "Kim", Role.CSM, "CSM, Scale", "manager2"),
    ("csm8", "Reza", "Karimi", Role.CSM, "Digital CSM", "manager2"),
    ("viewer", "Vera", "Lind", Role.READONLY, "Finance (read-only)", None),
]
ENTERPRISE_POD = ["csm1", "csm2", "csm3", "csm4"]
SCALE_POD = ["csm5", "csm6", "csm7", "csm8"]


def demo_team_ensure() -> dict[str, User]:
    """Create or update the demo team (idempotent); every login gets DEMO_PASSWORD."""
    password = make_password(DEMO_PASSWORD)  # hashed once: hashing is deliberately slow
    users: dict[str, User] = {}
    for username, first, last, role, title, manager in TEAM:
        user, _ = User.objects.update_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "email": f"{username}@pulse-cs.example",
                "role": role,
                "title": title,
                "manager": users.get(manager) if manager else None,
                "is_active": True,
                "is_staff": role == Role.ADMIN,
                "is_superuser": role == Role.ADMIN,
                "password": password,
            },
        )
        users[username] = user
    return users


# Section: vocabularies

PREFIXES = (
    "North Blue Silver Bright Red Green Iron Swift Clear Stone Summit Harbor Pioneer Atlas Nova Orbit Vertex "
    "Cedar Maple Falcon Lumen Quantum Apex Beacon Crescent Delta Echo Fjord Granite Horizon Juniper Kestrel "
    "Lattice Meridian Nimbus Onyx Polar Quill Ridge Sierra Tidal Vector Willow Zephyr Aurora Cobalt Drift Ember "
    "Golden Hollow"
).split()
ROOTS = (
    "wind stream leaf point bridge field gate path works line stack forge wave light bay peak mark loop grid cast"
).split()
# suffix -> industry ("" picks one)
SUFFIXES = {
    "": "",
    " Labs": "Software",
    " Systems": "Software",
    " Health": "Healthcare",
    " Logistics": "Logistics",
    " Analytics": "Software",
    " Retail": "Retail",
    " Capital": "Financial services",
    " Software": "Software",
    " Energy": "Energy",
    " Media": "Media",
    " Foods": "Food & beverage",
    " Robotics": "Manufacturing",
    " Bank": "Financial services",
    " Insurance": "Insurance",
    " Group": "",
    " Technologies": "Software",
    " Studio": "Media",
    " Networks": "Telecommunications",
    " Pharma": "Life sciences",
}
INDUSTRIES = ["Software", "Retail", "Financial services", "Healthcare", "Manufacturing", "Education", "Logistics"]
QUALIFIERS = ["EMEA", "APAC", "Americas", "Nordics", "DACH", "UK", "Japan", "India", "Brasil", "Canada"]
TLDS = [".com", ".com", ".com", ".io", ".ai", ".co", ".net"]

SEGMENTS = [("Enterprise", 0.10), ("Mid-Market", 0.30), ("SMB", 0.60)]
TIER_BY_SEGMENT = {
    "Enterprise": [(Tier.STRATEGIC, 0.35), (Tier.KEY, 0.65)],
    "Mid-Market": [(Tier.KEY, 0.30), (Tier.STANDARD, 0.70)],
    "SMB": [(Tier.STANDARD, 0.40), (Tier.TECH_TOUCH, 0.60)],
}
# the weights' sums, summed as _weighted would (same floats, so the same draws)
SEGMENTS_TOTAL = sum(w for _, w in SEGMENTS)
TIER_TOTALS = {segment: sum(w for _, w in pairs) for segment, pairs in TIER_BY_SEGMENT.items()}
# tier -> (plan, MRR range, seats range, contacts bounds, events a day per account, tickets a year)
TIER_PROFILE = {
    Tier.STRATEGIC: ("Enterprise", (18000, 60000), (60, 220), (14, 150), 8.2, 18),
    Tier.KEY: ("Business", (4500, 16000), (20, 70), (7, 50), 2.4, 9),
    Tier.STANDARD: ("Growth", (900, 4200), (6, 20), (3, 14), 0.53, 4),
    Tier.TECH_TOUCH: ("Starter", (59, 790), (2, 8), (1, 6), 0.12, 1.2),
}
PLAN_LADDER = ["Starter", "Growth", "Business", "Enterprise"]

# language -> (weight, time zones)
LANGUAGES = {
    "en": (62, ["America/New_York", "America/Chicago", "America/Los_Angeles", "Europe/London", "Australia/Sydney"]),
    "de": (8, ["Europe/Berlin", "Europe/Vienna", "Europe/Zurich"]),
    "fr": (7, ["Europe/Paris", "America/Montreal"]),
    "es": (8, ["Europe/Madrid", "America/Mexico_City", "America/Bogota"]),
    "ar": (5, ["Asia/Dubai", "Asia/Riyadh", "Africa/Cairo"]),
    "fa": (4, ["Asia/Tehran"]),
    "zh": (6, ["Asia/Shanghai", "Asia/Singapore", "Asia/Taipei"]),
}
# language -> (first names, last names) as (display, ascii for e-mail)
NAMES = {
    "en": (
        "James Olivia Liam Emma Noah Ava Lucas Mia Ethan Sophia Mason Isabella Logan Charlotte Aiden Amelia "
        "Grace Henry Chloe Jack".split(),
        "Smith Johnson Brown Taylor Anderson Thomas Moore Martin Clark Lewis Walker Hall Young King Wright "
        "Scott Green Baker Adams Nelson".split(),
    ),
    "de": (
        "Lukas Anna Felix Lena Jonas Marie Paul Laura".split(),
        "Müller Schmidt Schneider Fischer Weber Wagner Becker Hoffmann".split(),
    ),
    "fr": (
        "Louis Camille Hugo Léa Jules Chloé Arthur Manon".split(),
        "Martin Bernard Dubois Thomas Robert Richard Petit Durand".split(),
    ),
    "es": (
        "Mateo Lucía Santiago Sofía Diego Valentina Javier Carmen".split(),
        "García Fernández López Martínez Sánchez Pérez Gómez Díaz".split(),
    ),
    "ar": (
        [
            ("محمد", "mohammed"),
            ("أحمد", "ahmed"),
            ("فاطمة", "fatima"),
            ("ليلى", "layla"),
            ("عمر", "omar"),
            ("نور", "nour"),
            ("يوسف", "youssef"),
            ("سارة", "sara"),
        ],
        [
            ("العلي", "alali"),
            ("حداد", "haddad"),
            ("الخطيب", "alkhatib"),
            ("منصور", "mansour"),
            ("السيد", "elsayed"),
            ("ناصر", "nasser"),
        ],
    ),
    "fa": (
        [
            ("علی", "ali"),
            ("زهرا", "zahra"),
            ("رضا", "reza"),
            ("مریم", "maryam"),
            ("حسین", "hossein"),
            ("نگار", "negar"),
            ("امیر", "amir"),
            ("شیرین", "shirin"),
        ],
        [
            ("احمدی", "ahmadi"),
            ("حسینی", "hosseini"),
            ("رضایی", "rezaei"),
            ("کریمی", "karimi"),
            ("موسوی", "mousavi"),
            ("محمدی", "mohammadi"),
        ],
    ),
    "zh": (
        [
            ("伟", "wei"),
            ("芳", "fang"),
            ("娜", "na"),
            ("敏", "min"),
            ("静", "jing"),
            ("磊", "lei"),
            ("洋", "yang"),
            ("婷", "ting"),
        ],
        [
            ("王", "wang"),
            ("李", "li"),
            ("张", "zhang"),
            ("刘", "liu"),
            ("陈", "chen"),
            ("杨", "yang"),
            ("黄", "huang"),
            ("赵", "zhao"),
        ],
    ),
}
ASCII = str.maketrans("üöäéèáíóúñç", "uoaeeaiounc")
LANGUAGE_WEIGHTS = [(lang, w) for lang, (w, _) in LANGUAGES.items()]
LANGUAGE_TOTAL = sum(w for _, w in LANGUAGE_WEIGHTS)
# names as they go into e-mail addresses
NAME_ASCII = {
    name: name.lower().translate(ASCII)
    for firsts, lasts in NAMES.values()
    for name in firsts + lasts
    if isinstance(name, str)
}

PERSONAS = {
    "Executive sponsor": (
        "Signs the renewal; wants ROI in numbers.",
        ["VP Operations", "COO", "CTO", "Chief Data Officer"],
    ),
    "Champion": (
        "Runs the rollout and argues for us inside.",
        ["Director of Analytics", "Head of RevOps", "Head of Data"],
    ),
    "Admin": ("Configures users, SSO and integrations.", ["IT Administrator", "Systems Administrator", "Ops Manager"]),
    "Analyst": ("Builds reports and dashboards every day.", ["Data Analyst", "BI Analyst", "Financial Analyst"]),
    "End user": (
        "Reads dashboards, gets alerts.",
        ["Account Executive", "Support Lead", "Marketing Manager", "Engineer"],
    ),
}

# event name -> (weight, properties JSON)
EVENTS = {
    "login": (30, "{}"),
    "dashboard_viewed": (22, "{}"),
    "report_viewed": (14, "{}"),
    "report_created": (6, '{"template": "weekly"}'),
    "export_run": (5, '{"format": "csv"}'),
    "automation_run": (8, "{}"),
    "api_call": (7, '{"endpoint": "/v2/query"}'),
    "comment_added": (4, "{}"),
    "alert_configured": (2, "{}"),
    "user_invited": (1.5, "{}"),
    "integration_connected": (0.5, '{"integration": "salesforce"}'),
}
EVENT_NAMES = list(EVENTS)
EVENT_P = np.array([w for w, _ in EVENTS.values()]) / sum(w for w, _ in EVENTS.values())
EVENT_PROPS = [p for _, p in EVENTS.values()]
HOUR_WEIGHTS = np.array([1, 1, 1, 1, 1, 2, 4, 8, 12, 14, 14, 13, 10, 12, 14, 14, 12, 9, 6, 4, 3, 2, 1, 1], float)
HOUR_P = HOUR_WEIGHTS / HOUR_WEIGHTS.sum()
# cumulative distributions: a uniform draw u picks searchsorted(CDF, u, "right") (inverse CDF),
# ~3x cheaper than Generator.choice(p=...) for a few hundred draws
HOUR_CDF = np.cumsum(HOUR_P)
EVENT_CDF = np.cumsum(EVENT_P)

TICKET_SUBJECTS = [
    "SSO login fails for new users",
    "Export to CSV times out",
    "Dashboard numbers differ from Salesforce",
    "How do I share a report with read-only users?",
    "Salesforce sync stopped overnight",
    "Invoice shows the wrong seat count",
    "API rate limit errors (429)",
    "Scheduled report e-mails not arriving",
    "Request: SAML group mapping",
    "Alert fired twice for the same event",
    "Slow load on the adoption dashboard",
    "Cannot remove a deactivated user",
]
TOUCH_TEMPLATES = {
    ActivityKind.NOTE: [
        ("Adoption check", "Usage steady in {team}; {contact} asked about advanced alerting. Sent the guide."),
        ("Stakeholder map updated", "New day-to-day owner: {contact}. The exec sponsor is unchanged."),
        ("Risk note", "Fewer logins from {team} since their reorg. Offered a refresher session."),
        ("Expansion signal", "{team} wants dashboards for two more regions; seat limit close. Loop in the AE."),
    ],
    ActivityKind.CALL: [
        ("Weekly sync", "Walked {contact} through the new automation builder. Next: connect the warehouse."),
        ("Renewal prep call", "Reviewed value delivered this year with {contact}; pricing questions for procurement."),
        ("Escalation follow-up", "Confirmed the sync fix with {contact}; they want a post-mortem summary."),
    ],
    ActivityKind.MEETING: [
        (
            "Quarterly business review",
            "QBR with {contact} and the sponsor: goals met for {team}, next quarter focuses on reporting.",
        ),
        ("Onboarding workshop", "Trained {team} on dashboards and alerts; 12 attendees, recording shared."),
        ("Success plan review", "Agreed milestones with {contact}: SSO live, weekly exec report, 80% seat activation."),
    ],
    ActivityKind.EMAIL: [
        ("Release highlights", "Sent {contact} the release notes with the features {team} asked for."),
        ("Check-in", "Asked {contact} how the rollout to {team} is going and offered office hours."),
        ("Training invite", "Invited {team} to next week's admin webinar."),
    ],
}
TEAMS = ["finance", "sales ops", "support", "the data team", "marketing", "operations", "IT"]
TOUCH_KINDS = [(ActivityKind.NOTE, 35), (ActivityKind.CALL, 25), (ActivityKind.MEETING, 25), (ActivityKind.EMAIL, 25)]
TOUCH_KINDS_KEY = [(k, 15 if k == ActivityKind.MEETING else w) for k, w in TOUCH_KINDS]
PRIORITIES = [
    (TicketPriority.LOW, 20),
    (TicketPriority.NORMAL, 55),
    (TicketPriority.HIGH, 20),
    (TicketPriority.URGENT, 5),
]
PRIORITIES_TOTAL = sum(w for _, w in PRIORITIES)


# Section: planning one account


@dataclass
class AccountPlan:
    index: int
    external_id: str
    name: str
    domain: str
    industry: str
    segment: str
    tier: str
    owner: str
    language: str
    region: str
    created_at: datetime
    lifecycle: str = LifecycleStage.MATURE
    fate: str = "healthy"  # healthy | growing | churned | at_risk | trial | trial_lost
    churn_date: date | None = None
    parent_index: int | None = None
    subscriptions: list[tuple] = field(default_factory=list)  # (plan, mrr, seats, start, end, trial, canceled_at)
    contacts: list[tuple] = field(default_factory=list)  # (ext, name, email, title, persona, lang, tz, birthday)
    tickets: list[tuple] = field(default_factory=list)
    activities: list[tuple] = field(default_factory=list)  # (kind, author, contact_idx, subject, body, at)
    last_touch_at: datetime | None = None
    # events, as parallel numpy arrays
    ev_day: np.ndarray | None = None
    ev_sec: np.ndarray | None = None
    ev_name: np.ndarray | None = None
    ev_contact: np.ndarray | None = None
    contact_last_seen: list = field(default_factory=list)  # seconds from the history's start, -1: never


# Small draws from the account's random.Random, scaled from rng.random(): the library's
# choice / randint / choices cost 3-5x more, and an account makes a few hundred draws.


def _pick(rng: random.Random, seq):
    return seq[int(rng.random() * len(seq))]


def _below(rng: random.Random, n: int) -> int:
    return int(rng.random() * n)


def _int(rng: random.Random, low: int, high: int) -> int:
    """An integer in [low, high], like randint."""
    return low + int(rng.random() * (high - low + 1))


def _total(pairs) -> float:
    return sum(w for _, w in pairs)


def _weighted(rng: random.Random, pairs, total=None):
    """A value drawn by weight; `total` (the weights' sum, by `_total`) saves summing each draw."""
    x = rng.random() * (_total(pairs) if total is None else total)
    for value, weight in pairs:
        x -= weight
        if x < 0:
            return value
    return pairs[-1][0]


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _entitlements(seats: int, plan_name: str) -> dict:
    rank = PLAN_LADDER.index(plan_name) + 1
    return {"seats": seats, "reports": 25 * rank * rank, "api_calls": 50000 * rank * rank}


def _at(day: date, rng: random.Random, hour_from: int = 8, hour_to: int = 18) -> datetime:
    # rng.random() scaled: randint costs ~4x more, and this runs ~20 times an account
    hour = hour_from + int(rng.random() * (hour_to - hour_from))
    return datetime(day.year, day.month, day.day, hour, int(rng.random() * 60), tzinfo=UTC)


class Planner:
    """Draws every account from its own generator: `random.Random(f"{seed}:account:{i}")`."""

    def __init__(self, *, seed: int, today: date, event_scale: float = 1.0):
        self.seed = seed
        self.today = today
        self.start = today - timedelta(days=HISTORY_DAYS)
        self.event_scale = event_scale
        self.used_names: set[str] = set()
        self.days = np.arange(HISTORY_DAYS, dtype=np.int64)
        self.growth = np.linspace(0.75, 1.35, HISTORY_DAYS)
        self.mean_seats = {tier: np.mean(profile[2]) for tier, profile in TIER_PROFILE.items()}
        self._bits = np.random.PCG64(0)
        self._generator = np.random.Generator(self._bits)
        days = np.arange(HISTORY_DAYS)
        weekdays = np.array([(self.start + timedelta(days=int(d))).weekday() for d in days])
        self.weekday_factor = np.where(weekdays >= 5, 0.22, 1.0)
        # A quieter second half of December.
        december = np.array(
            [
                (self.start + timedelta(days=int(d))).month == 12 and (self.start + timedelta(days=int(d))).day > 20
                for d in days
            ]
        )
        self.weekday_factor = self.weekday_factor * np.where(december, 0.6, 1.0)

    def _name(self, rng: random.Random) -> tuple[str, str]:
        suffix = _pick(rng, list(SUFFIXES))
        base = _pick(rng, PREFIXES) + _pick(rng, ROOTS)
        name = base + suffix
        if name in self.used_names:
            for qualifier in rng.sample(QUALIFIERS, len(QUALIFIERS)):
                if f"{name} {qualifier}" not in self.used_names:
                    name = f"{name} {qualifier}"
                    break
            else:
                n = 2
                while f"{name} {n}" in self.used_names:
                    n += 1
                name = f"{name} {n}"
        self.used_names.add(name)
        return name, suffix

    def plan(self, i: int) -> AccountPlan:
        rng = random.Random(f"{self.seed}:account:{i}")
        today = self.today
        name, suffix = self._name(rng)
        industry = SUFFIXES[suffix] or _pick(rng, INDUSTRIES)
        slug = "".join(ch for ch in name.lower().translate(ASCII) if ch.isalnum())
        segment = _weighted(rng, SEGMENTS, SEGMENTS_TOTAL)
        tier = _weighted(rng, TIER_BY_SEGMENT[segment], TIER_TOTALS[segment])
        language = _weighted(rng, LANGUAGE_WEIGHTS, LANGUAGE_TOTAL)
        region = {
            "en": _pick(rng, ["NA", "NA", "UK", "ANZ"]),
            "de": "DACH",
            "fr": "EMEA",
            "es": _pick(rng, ["EMEA", "LATAM"]),
            "ar": "MENA",
            "fa": "MENA",
            "zh": "APAC",
        }[language]
        pod = ENTERPRISE_POD if tier in (Tier.STRATEGIC, Tier.KEY) else SCALE_POD
        owner = pod[_below(rng, len(pod))]
        # 75% were customers before the history window; 25% arrived during it.
        if rng.random() < 0.75:
            created = today - timedelta(days=_int(rng, HISTORY_DAYS + 1, 3 * 365))
        else:
            created = today - timedelta(days=_int(rng, 3, HISTORY_DAYS - 1))
        plan = AccountPlan(
            index=i,
            external_id=f"acc-{i + 1:06d}",
            name=name,
            domain=slug + _pick(rng, TLDS),
            industry=industry,
            segment=segment,
            tier=tier,
            owner=owner,
            language=language,
            region=region,
            created_at=_at(created, rng),
        )
        self._subscriptions(plan, rng, created)
        plan.subscriptions = [(*sub, _entitlements(sub[2], sub[0])) for sub in plan.subscriptions]
        self._contacts(plan, rng, slug)
        self._events(plan, rng, created)
        self._tickets(plan, rng, created)
        self._activities(plan, rng, created)
        return plan

    # -- revenue ----------------------------------------------------------------------------------

    def _subscriptions(self, plan: AccountPlan, rng: random.Random, created: date) -> None:
        today, start = self.today, self.start
        name, (low, high), (seat_low, seat_high), *_ = TIER_PROFILE[plan.tier]
        mrr = Decimal(round(math.exp(rng.uniform(math.log(low), math.log(high))) / 10) * 10 or 10)
        seats = _int(rng, seat_low, seat_high)
        monthly = plan.tier == Tier.TECH_TOUCH and rng.random() < 0.5
        subs = plan.subscriptions

        paid_from = created
        in_window = created > start
        if in_window and rng.random() < 0.7:  # most new customers start with a trial
            trial_days = 30 if plan.tier in (Tier.STRATEGIC, Tier.KEY) else 14
            trial_end = created + timedelta(days=trial_days)
            subs.append((name, mrr, seats, created, trial_end, True, None))
            if trial_end > today:
                plan.fate, plan.lifecycle = "trial", LifecycleStage.TRIAL
                return
            if rng.random() > 0.68:
                plan.fate, plan.lifecycle, plan.churn_date = "trial_lost", LifecycleStage.CHURNED, trial_end
                return
            paid_from = trial_end

        # Fate of a paying customer.
        anniversary = None
        if not monthly:
            years = (today - paid_from).days // 365
            # the latest renewal date (a term end) within the history window, if any
            anniversary = _add_years(paid_from, years) if years >= 1 else None
            if anniversary is not None and anniversary <= start:
                anniversary = None
        roll = rng.random()
        if monthly and not in_window and roll < 0.13:
            plan.fate = "churned"
            plan.churn_date = start + timedelta(days=_int(rng, 45, HISTORY_DAYS - 7))
        elif anniversary is not None and anniversary < today - timedelta(days=7) and roll < 0.12:
            plan.fate, plan.churn_date = "churned", anniversary
        elif roll < 0.22:
            plan.fate = "at_risk"
        elif roll < 0.45:
            plan.fate = "growing"

        change_day = None
        change_factor = 1.0
        if plan.fate == "growing":
            change_day = max(paid_from + timedelta(days=45), start + timedelta(days=_int(rng, 20, HISTORY_DAYS - 20)))
            change_factor = rng.uniform(1.2, 1.7)
        elif (plan.fate == "at_risk" and rng.random() < 0.35) or (plan.fate == "healthy" and rng.random() < 0.06):
            change_day = max(paid_from + timedelta(days=45), start + timedelta(days=_int(rng, 60, HISTORY_DAYS - 10)))
            change_factor = rng.uniform(0.6, 0.85)
        if change_day is not None and change_day >= today:
            change_day = None

        plan_name = name
        if monthly:
            end = plan.churn_date
            if change_day and (end is None or change_day < end):
                subs.append((plan_name, mrr, seats, paid_from, change_day, False, None))
                mrr = Decimal(round(float(mrr) * change_factor))
                seats = max(1, round(seats * change_factor))
                subs.append(
                    (plan_name, mrr, seats, change_day, end, False, _at(end - timedelta(days=3), rng) if end else None)
                )
            else:
                subs.append(
                    (plan_name, mrr, seats, paid_from, end, False, _at(end - timedelta(days=3), rng) if end else None)
                )
        else:
            term_start = paid_from
            term_end = _add_years(term_start, 1)
            while True:
                if change_day and term_start < change_day < term_end:
                    # a mid-term upgrade or downgrade, co-termed with the current term
                    subs.append((plan_name, mrr, seats, term_start, change_day, False, None))
                    mrr = Decimal(round(float(mrr) * change_factor))
                    seats = max(1, round(seats * change_factor))
                    if change_factor > 1 and plan_name != PLAN_LADDER[-1] and rng.random() < 0.3:
                        plan_name = PLAN_LADDER[PLAN_LADDER.index(plan_name) + 1]
                    term_start = change_day
                    change_day = None
                churned_here = plan.churn_date == term_end
                canceled = _at(term_end - timedelta(days=_int(rng, 5, 45)), rng) if churned_here else None
                subs.append((plan_name, mrr, seats, term_start, term_end, False, canceled))
                if term_end > today or churned_here:
                    break
                mrr = Decimal(round(float(mrr) * rng.uniform(1.0, 1.07)))  # renewal with a price uplift
                term_start = term_end
                term_end = _add_years(term_start, 1)

        # Lifecycle stage today.
        if plan.fate == "churned":
            plan.lifecycle = LifecycleStage.CHURNED
        elif plan.fate == "at_risk":
            plan.lifecycle = LifecycleStage.AT_RISK
        elif (today - paid_from).days < 75:
            plan.lifecycle = LifecycleStage.ONBOARDING
        else:
            renewal = next((sub[4] for sub in plan.subscriptions if sub[4] and sub[4] > today and not sub[5]), None)
            if renewal and (renewal - today).days <= 90:
                plan.lifecycle = LifecycleStage.RENEWAL
            elif (today - paid_from).days < 365:
                plan.lifecycle = LifecycleStage.ADOPTION
            else:
                plan.lifecycle = LifecycleStage.MATURE

    # -- people -----------------------------------------------------------------------------------

    def _contacts(self, plan: AccountPlan, rng: random.Random, slug: str) -> None:
        *_, (c_low, c_high), _, _ = TIER_PROFILE[plan.tier]
        # known users: 30-75% of the licensed seats, within the tier's bounds
        seats = plan.subscriptions[-1][2] if plan.subscriptions else c_low
        count = min(c_high, max(c_low, round(seats * rng.uniform(0.3, 0.75))))
        persona_names = list(PERSONAS)
        used_emails: set[str] = set()
        for k in range(count):
            lang = plan.language if rng.random() < 0.8 else "en"
            firsts, lasts = NAMES[lang]
            first, last = _pick(rng, firsts), _pick(rng, lasts)
            if isinstance(first, tuple):
                (first, first_ascii), (last, last_ascii) = first, last
            else:
                first_ascii, last_ascii = NAME_ASCII[first], NAME_ASCII[last]
            display = f"{last}{first}" if lang == "zh" else f"{first} {last}"
            email = f"{first_ascii}.{last_ascii}"
            if email in used_emails:
                email = f"{email}{k}"
            used_emails.add(email)
            persona = persona_names[min(k, 1)] if k < 2 else _pick(rng, persona_names[2:])
            title = _pick(rng, PERSONAS[persona][1])
            tz = _pick(rng, LANGUAGES[lang][1])
            birthday = date(_int(rng, 1965, 1999), _int(rng, 1, 12), _int(rng, 1, 28)) if rng.random() < 0.4 else None
            plan.contacts.append(
                (
                    f"{plan.external_id}-u{k + 1:03d}",
                    display,
                    f"{email}@{plan.domain}",
                    title,
                    persona,
                    lang,
                    tz,
                    birthday,
                )
            )

    # -- usage ------------------------------------------------------------------------------------

    def _numpy_rng(self, rng: random.Random) -> np.random.Generator:
        """The account's NumPy generator, seeded from its own random.Random: setting a PCG64
        state costs ~15 us, a fresh default_rng (SeedSequence hashing) ~80 us a call."""
        self._bits.state = {
            "bit_generator": "PCG64",
            "state": {"state": rng.getrandbits(128), "inc": rng.getrandbits(128) | 1},
            "has_uint32": 0,
            "uinteger": 0,
        }
        return self._generator

    def _events(self, plan: AccountPlan, rng: random.Random, created: date) -> None:
        nrng = self._numpy_rng(rng)
        days = self.days
        *_, per_day, _ = TIER_PROFILE[plan.tier]
        seats = plan.subscriptions[-1][2] if plan.subscriptions else 5
        size = (seats / self.mean_seats[plan.tier]) ** 0.5
        created_day = (created - self.start).days
        alive = days >= created_day
        # onboarding ramp over the first 45 days
        ramp = np.clip((days - created_day) / 45.0, 0.25, 1.0)
        mult = per_day * self.event_scale * size * rng.lognormvariate(0, 0.3) * np.where(alive, ramp, 0.0)
        if plan.fate == "churned":
            churn_day = (plan.churn_date - self.start).days
            fade_from = churn_day - _int(rng, 70, 150)
            decay = np.clip(1 - (days - fade_from) / max(1, churn_day - fade_from), 0.04, 1.0)
            mult = mult * np.where(days < fade_from, 1.0, decay) * (days < churn_day)
        elif plan.fate == "at_risk":
            fade_from = HISTORY_DAYS - _int(rng, 50, 140)
            floor = rng.uniform(0.15, 0.4)
            decay = np.clip(1 - (1 - floor) * (days - fade_from) / max(1, HISTORY_DAYS - fade_from), floor, 1.0)
            mult = mult * np.where(days < fade_from, 1.0, decay)
        elif plan.fate == "trial_lost":
            lost_day = (plan.churn_date - self.start).days
            mult = mult * np.where(days < lost_day - 5, 0.7, np.where(days < lost_day, 0.3, 0.0))
        elif plan.fate == "growing":
            mult = mult * self.growth
        # A Poisson count per day, drawn as a Poisson process: the total is Poisson(sum of the
        # day rates) and each event falls on a day with probability rate / sum (the same
        # distribution as one Poisson draw per day, with one draw instead of 365).
        cum = np.cumsum(mult * self.weekday_factor)
        total = int(nrng.poisson(cum[-1])) if cum[-1] > 0 else 0
        u = nrng.random(6 * total).reshape(6, total)
        u[0].sort()
        last = HISTORY_DAYS - 1
        plan.ev_day = np.minimum(np.searchsorted(cum, u[0] * cum[-1], side="right"), last)
        hour = np.minimum(np.searchsorted(HOUR_CDF, u[1], side="right"), 23)
        plan.ev_sec = hour * 3600 + (u[2] * 3600).astype(np.int64)
        plan.ev_name = np.minimum(np.searchsorted(EVENT_CDF, u[3], side="right"), len(EVENT_NAMES) - 1)
        n_contacts = len(plan.contacts)
        weights = np.cumsum(1.0 / np.arange(1, n_contacts + 1) ** 0.8)  # a few power users
        contact = np.minimum(np.searchsorted(weights / weights[-1], u[4], side="right"), n_contacts - 1)
        contact[u[5] < 0.08] = -1  # server-side events without a user
        plan.ev_contact = contact
        stamp = plan.ev_day * 86400 + plan.ev_sec
        last = np.full(n_contacts, -1, dtype=np.int64)
        with_contact = contact >= 0
        np.maximum.at(last, contact[with_contact], stamp[with_contact])
        plan.contact_last_seen = last.tolist()

    # -- support ----------------------------------------------------------------------------------

    def _tickets(self, plan: AccountPlan, rng: random.Random, created: date) -> None:
        *_, per_year = TIER_PROFILE[plan.tier]
        first = max(created, self.start)
        last = plan.churn_date or self.today
        span = (last - first).days
        if span <= 0:
            return
        struggling = plan.fate in ("churned", "at_risk")
        expected = per_year * span / 365 * (1.8 if struggling else 1.0)
        count = sum(1 for _ in range(int(expected * 2) + 2) if rng.random() < expected / (int(expected * 2) + 2))
        now = datetime(self.today.year, self.today.month, self.today.day, 9, tzinfo=UTC)
        for k in range(count):
            opened = _at(first + timedelta(days=_below(rng, span)), rng, 0, 24)
            if struggling and rng.random() < 0.5:  # trouble clusters late
                opened = _at(last - timedelta(days=_int(rng, 1, max(2, min(span, 90)))), rng, 0, 24)
            priority = _weighted(rng, PRIORITIES, PRIORITIES_TOTAL)
            mean_hours = {
                TicketPriority.URGENT: 1,
                TicketPriority.HIGH: 3,
                TicketPriority.NORMAL: 8,
                TicketPriority.LOW: 20,
            }[priority]
            first_response = opened + timedelta(hours=rng.expovariate(1 / mean_hours) + 0.05)
            replies = 1 if rng.random() < 0.55 else _int(rng, 2, 6)
            resolved = first_response + timedelta(hours=rng.expovariate(1 / (6 + 14 * replies)))
            status = TicketStatus.CLOSED if rng.random() < 0.6 else TicketStatus.RESOLVED
            if first_response > now:
                first_response, resolved, status, replies = None, None, TicketStatus.OPEN, 0
            elif resolved > now:
                resolved, status = None, _pick(rng, [TicketStatus.OPEN, TicketStatus.PENDING])
            escalated = (struggling and rng.random() < 0.15) or rng.random() < 0.03
            contact = _below(rng, len(plan.contacts))
            plan.tickets.append(
                (
                    f"ZD-{plan.index + 1:06d}-{k + 1:03d}",
                    contact,
                    _pick(rng, TICKET_SUBJECTS),
                    opened,
                    first_response,
                    resolved,
                    replies,
                    priority,
                    status,
                    escalated,
                )
            )

    # -- timeline ---------------------------------------------------------------------------------

    def _activities(self, plan: AccountPlan, rng: random.Random, created: date) -> None:
        acts = plan.activities
        for sub in plan.subscriptions:
            name, mrr, _, begin, end, trial, canceled, _ = sub
            if begin < self.start:
                continue
            if trial:
                acts.append((ActivityKind.SYSTEM, None, None, f"Trial started on {name}", "", _at(begin, rng)))
            else:
                acts.append(
                    (
                        ActivityKind.SYSTEM,
                        None,
                        None,
                        f"Subscription: {name} at {mrr:,.0f}/mo",
                        "",
                        _at(begin, rng, 0, 6),
                    )
                )
        if plan.churn_date and plan.churn_date <= self.today:
            what = "Trial ended without converting" if plan.fate == "trial_lost" else "Account churned"
            acts.append((ActivityKind.SYSTEM, None, None, what, "", _at(plan.churn_date, rng, 0, 6)))

        cadence = {Tier.STRATEGIC: 3.5, Tier.KEY: 7, Tier.STANDARD: 30, Tier.TECH_TOUCH: None}[plan.tier]
        if cadence is None:
            # tech-touch: automated nurture e-mails, no CSM touches
            day = max(created, self.start) + timedelta(days=_int(rng, 5, 40))
            while day < (plan.churn_date or self.today):
                # automated tech-touch e-mails count as touches for this tier
                at = _at(day, rng)
                subject = "Nurture e-mail: monthly product tips"
                acts.append((ActivityKind.EMAIL, None, None, subject, "Sent by the tech-touch programme.", at))
                plan.last_touch_at = at
                day += timedelta(days=_int(rng, 25, 40))
            return
        end = plan.churn_date or self.today
        # Some books fall behind: the last touch is older than the cadence.
        stop = end - timedelta(days=int(cadence * rng.uniform(1.3, 4))) if rng.random() < 0.22 else end
        day = max(created, self.start) + timedelta(days=_int(rng, 1, int(cadence) + 1))
        kinds = TOUCH_KINDS_KEY if plan.tier == Tier.KEY else TOUCH_KINDS
        kinds_total = _total(kinds)
        while day < stop:
            kind = _weighted(rng, kinds, kinds_total)
            subject, body = _pick(rng, TOUCH_TEMPLATES[kind])
            contact = _below(rng, min(len(plan.contacts), 4))
            contact_name = plan.contacts[contact][1]
            at = _at(day, rng)
            acts.append(
                (kind, plan.owner, contact, subject, body.format(contact=contact_name, team=_pick(rng, TEAMS)), at)
            )
            if plan.last_touch_at is None or at > plan.last_touch_at:
                plan.last_touch_at = at
            day += timedelta(days=max(1, round(cadence * rng.uniform(0.5, 1.5))))


# Section: writing


PG_EPOCH = date(2000, 1, 1)  # binary dates count days from here, timestamps microseconds
# one AccountDailyContact row as a binary COPY tuple: (id int8, account_id int8, day date, contact_id int8)
DAILY_CONTACT_TUPLE = np.dtype(
    [
        ("n", ">i2"),
        ("l0", ">i4"),
        ("id", ">i8"),
        ("l1", ">i4"),
        ("account", ">i8"),
        ("l2", ">i4"),
        ("day", ">i4"),
        ("l3", ">i4"),
        ("contact", ">i8"),
    ]
)
COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


class CopyStream:
    """The seed's PostgreSQL COPYs, run one after another by a writer thread on the seed's own
    connection (so inside its transaction), fed through a bounded queue: the database stores
    chunk k while Python builds chunk k+1, one core each. The main thread must not use the
    connection until `close()`; `waited` is how long it was blocked on a full queue (Python
    ahead of the database)."""

    def __init__(self, depth: int = 24):
        import queue
        import threading

        connection.ensure_connection()
        self._raw = connection.connection
        self._queue = queue.Queue(maxsize=depth)
        self.error: BaseException | None = None
        self.waited = 0.0
        self._thread = threading.Thread(target=self._run, name="seed_demo-copy", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            with self._raw.cursor() as cursor:
                for sql, parts in iter(self._queue.get, None):
                    with cursor.copy(sql) as copy:
                        for part in parts:
                            copy.write(part)
        except BaseException as exc:  # handed to the main thread by put() / close()
            self.error = exc
            while self._queue.get() is not None:
                pass

    def put(self, sql: str, parts: list) -> None:
        if self.error is not None:
            raise self.error
        started = time.perf_counter()
        self._queue.put((sql, parts))
        self.waited += time.perf_counter() - started

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join()
        if self.error is not None:
            raise self.error


class EventRecords:
    """UsageEvent rows as binary COPY tuples of one fixed size, filled by NumPy for a whole chunk
    (no per-row Python, and nothing for PostgreSQL to parse but the small properties JSON).
    Columns: id, account_id, occurred_at, the model's other nullable columns as NULL (message
    id), then contact_id, event, properties. The last three vary in size (a contact or NULL, the
    event name), so each row ends in one of 2 x 11 byte templates padded to one width: the
    padding is whitespace after the properties JSON, which jsonb drops (the stored value is the
    same). The contact id is written into the template's slot."""

    def __init__(self, null_columns: list[str]):
        import struct

        names = [n.encode() for n in EVENT_NAMES]
        props = [p.encode() for p in EVENT_PROPS]
        width = max(12 + 4 + len(n) + 4 + 1 + len(p) for n, p in zip(names, props, strict=True))
        self.tails = np.zeros((2 * len(names), width), np.uint8)  # 2e: with a contact, 2e + 1: without
        for e, (name, prop) in enumerate(zip(names, props, strict=True)):
            for null in (0, 1):
                contact = struct.pack(">i", -1) if null else struct.pack(">iq", 8, 0)
                head = contact + struct.pack(">i", len(name)) + name
                body = b"\x01" + prop + b" " * (width - len(head) - 4 - 1 - len(prop))
                self.tails[2 * e + null] = np.frombuffer(head + struct.pack(">i", len(body)) + body, np.uint8)
        fields = [("n", ">i2"), ("l0", ">i4"), ("id", ">i8"), ("l1", ">i4"), ("account", ">i8")]
        fields += [("l2", ">i4"), ("at", ">i8")] + [(f"null{k}", ">i4") for k in range(len(null_columns))]
        self.dtype = np.dtype([*fields, ("tail", np.uint8, (width,))])
        self.columns = ["id", "account_id", "occurred_at", *null_columns, "contact_id", "event", "properties"]
        self.n_fields = len(self.columns)
        self.n_nulls = len(null_columns)

    def build(self, first_id: int, account: np.ndarray, at_us: np.ndarray, contact: np.ndarray, name: np.ndarray):
        records = np.empty(len(account), self.dtype)
        records["n"], records["l0"], records["l1"], records["l2"] = self.n_fields, 8, 8, 8
        records["id"] = np.arange(first_id, first_id + len(account), dtype=np.int64)
        records["account"] = account
        records["at"] = at_us
        for k in range(self.n_nulls):
            records[f"null{k}"] = -1
        null = contact < 0
        tail = records["tail"]
        tail[:] = self.tails[2 * name + null]
        tail[~null, 4:12] = contact[~null].astype(">i8").view(np.uint8).reshape(-1, 8)
        return records


class UsageRecords:
    """AccountDailyUsage rows as binary COPY tuples, filled by NumPy for a whole chunk in 8-byte
    units (no per-row Python). The two JSON columns vary in length, so they are laid out from
    fixed-size pieces: a row is its fixed fields up to `{`, then one 32-byte piece per event
    name used that day (` "login":      3`, the first with a space where the others have a
    comma), then `}` and the contact list's length, then one piece per contact id (` 1234567`),
    then `]`. The padding is JSON whitespace, which jsonb drops: the stored values are exactly
    those of `[1234567, ...]` and `{"login": 3, ...}`."""

    COLUMNS = ["id", "account_id", "day", "events", "active_contacts", "features", "contact_ids"]
    DIGITS = 7  # an event name's count on one day
    HEAD = np.dtype(
        [
            ("n", ">i2"),
            ("l0", ">i4"),
            ("id", ">i8"),
            ("l1", ">i4"),
            ("account", ">i8"),
            ("l2", ">i4"),
            ("day", ">i4"),
            ("l3", ">i4"),
            ("events", ">i4"),
            ("l4", ">i4"),
            ("active", ">i4"),
            ("l5", ">i4"),  # features' length
            ("version", "u1"),
            ("open", "S1"),
        ]
    )
    MID = np.dtype([("close", "S2"), ("l6", ">i4"), ("version", "u1"), ("open", "S1")])  # " }", contact_ids' length

    def __init__(self):
        quoted = [f'"{name}":'.encode() for name in EVENT_NAMES]
        self.piece = -(-(1 + max(map(len, quoted)) + self.DIGITS) // 8) * 8
        self.templates = np.full((len(quoted), self.piece), ord(" "), np.uint8)
        for e, text in enumerate(quoted):
            self.templates[e, 1 : 1 + len(text)] = np.frombuffer(text, np.uint8)
        self.columns = self.COLUMNS

    @staticmethod
    def _digits(values: np.ndarray, width: int) -> np.ndarray:
        """Right-aligned decimal digits of non-negative values, spaces before: (len, width) bytes."""
        if len(values) and int(values.max()) >= 10**width:
            raise ValueError(f"a value does not fit {width} digits")
        powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
        digits = (values[:, None] // powers) % 10 + ord("0")
        digits[(values[:, None] < powers) & (powers > 1)] = ord(" ")
        return digits.astype(np.uint8)

    def build(self, first_id, account, day, events, active, features, pair_row, pair_contact) -> np.ndarray:
        n = len(account)
        feature_row, feature_name = np.nonzero(features)  # row by row, names in order
        counts = features[feature_row, feature_name]
        used = np.bincount(feature_row, minlength=n)
        contact_width = -(-(1 + len(str(int(pair_contact.max(initial=0))))) // 8) * 8
        f_units, c_units = self.piece // 8, contact_width // 8
        units = 7 + f_units * used + 1 + c_units * active + 1
        start = np.concatenate([[0], np.cumsum(units)[:-1]])
        out = np.empty(int(units.sum()), np.uint64)

        head = np.empty(n, self.HEAD)
        head["n"] = len(self.COLUMNS)
        head["l0"], head["l1"], head["l2"], head["l3"], head["l4"] = 8, 8, 4, 4, 4
        head["id"] = np.arange(first_id, first_id + n, dtype=np.int64)
        head["account"], head["day"], head["events"], head["active"] = account, day, events, active
        head["l5"] = 1 + 1 + self.piece * used + 2  # version, "{", pieces, " }"
        head["version"], head["open"] = 1, b"{"
        out[start[:, None] + np.arange(7)] = head.view(np.uint64).reshape(n, 7)

        pieces = self.templates[feature_name]
        index = np.arange(len(feature_row)) - (np.cumsum(used) - used)[feature_row]
        pieces[:, 0] = np.where(index == 0, ord(" "), ord(","))
        pieces[:, -self.DIGITS :] = self._digits(counts, self.DIGITS)
        where = start[feature_row] + 7 + index * f_units
        out[where[:, None] + np.arange(f_units)] = pieces.view(np.uint64).reshape(-1, f_units)

        mid = np.empty(n, self.MID)
        mid["close"], mid["version"], mid["open"] = b" }", 1, b"["
        mid["l6"] = 1 + 1 + contact_width * active + 8  # version, "[", pieces, "]" and 7 spaces
        mid_at = start + 7 + f_units * used
        out[mid_at] = mid.view(np.uint64)

        pieces = np.empty((len(pair_row), contact_width), np.uint8)
        index = np.arange(len(pair_row)) - (np.cumsum(active) - active)[pair_row]
        pieces[:, 0] = np.where(index == 0, ord(" "), ord(","))
        pieces[:, 1:] = self._digits(pair_contact, contact_width - 1)
        where = mid_at[pair_row] + 1 + index * c_units
        out[where[:, None] + np.arange(c_units)] = pieces.view(np.uint64).reshape(-1, c_units)

        out[start + units - 1] = np.frombuffer(b"]       ", np.uint64)[0]
        return out


class BulkWriter:
    """Bulk inserts: PostgreSQL COPY (through a CopyStream once `start()` ran) or SQLite
    executemany. Columns a caller does not pass get the model field's default, so a column
    another floor adds later does not break the seed."""

    def __init__(self):
        self.pg = connection.vendor == "postgresql"
        self.null = "\\N" if self.pg else None  # what rows hold for NULL: COPY's token, or None
        self.tz_suffix = "+00" if self.pg else ""
        self._days: dict[int, str] = {}
        self.stream: CopyStream | None = None

    def start(self) -> None:
        if self.pg:
            self.stream = CopyStream()

    def finish(self) -> None:
        if self.stream is not None:
            stream, self.stream = self.stream, None
            stream.close()

    def abort(self) -> None:
        """After a failure in the main thread: stop the writer thread (the transaction rolls back)."""
        if self.stream is not None:
            stream, self.stream = self.stream, None
            try:
                stream.close()
            except BaseException:  # the main thread's error is the one to report
                pass

    def ts(self, value: datetime | None) -> str | None:
        """A timestamp to whole seconds, as PostgreSQL (with its offset) or SQLite (naive UTC)
        reads it; NULL as the writer's token. Day and time strings come from tables (a datetime's
        isoformat costs ~4x more, and a 100,000-account seed formats ~5M of them)."""
        if value is None:
            return self.null
        if value.tzinfo is not UTC:
            value = value.astimezone(UTC)
        ordinal = value.toordinal()
        day = self._days.get(ordinal)
        if day is None:
            day = self._days[ordinal] = value.date().isoformat()
        return f"{day} {_hms()[value.hour * 3600 + value.minute * 60 + value.second]}{self.tz_suffix}"

    @staticmethod
    def _plain(value):
        if isinstance(value, dict | list):
            return json.dumps(value)
        if isinstance(value, Decimal):
            return str(value)
        if isinstance(value, date):
            return value.isoformat()
        return value

    def defaults(self, model, columns: list[str]) -> tuple[list[str], tuple]:
        extra_cols, extra_vals = [], []
        for f in model._meta.concrete_fields:
            if f.column in columns or (f.primary_key and "id" not in columns):
                continue
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                value = self.ts(timezone.now())
            elif f.has_default():
                value = f.get_default()
                value = self.ts(value) if isinstance(value, datetime) else self._plain(value)
            elif f.null:
                value = None
            elif f.blank and f.get_internal_type() in ("CharField", "TextField", "EmailField"):
                value = ""
            else:
                raise RuntimeError(f"seed_demo does not know how to fill {model.__name__}.{f.name}")
            extra_cols.append(f.column)
            extra_vals.append(value)
        return extra_cols, tuple(extra_vals)

    def write(self, model, columns: list[str], rows: list[tuple]) -> int:
        """Rows of plain values (str, int, bool), NULL as `self.null`."""
        if not rows:
            return 0
        extra_cols, extra_vals = self.defaults(model, columns)
        all_cols = columns + extra_cols
        table = model._meta.db_table
        if not self.pg:
            marks = ", ".join(["%s"] * len(all_cols))
            with connection.cursor() as cursor:
                cursor.executemany(
                    f"INSERT INTO {table} ({', '.join(all_cols)}) VALUES ({marks})",
                    [row + extra_vals for row in rows],
                )
            return len(rows)
        end = "".join("\t" + _copy_text(self._plain(v)) for v in extra_vals) + "\n"
        line = "\t".join(["%s"] * len(columns))
        text = end.join([line % row for row in rows]) + end
        # Values are written unescaped; checked at C speed: a tab, newline, carriage return or
        # backslash inside a value (the demo's vocabularies have none) re-renders them escaped.
        null = self.null
        if (
            text.count("\t") != len(rows) * (len(all_cols) - 1)
            or text.count("\n") != len(rows)
            or "\r" in text
            or text.count("\\") != sum(row.count(null) for row in rows) + len(rows) * end.count("\\")
        ):
            text = end.join(["\t".join([v if v is null else _copy_text(v) for v in row]) for row in rows]) + end
        self.copy(f"COPY {table} ({', '.join(all_cols)}) FROM STDIN", [text.encode()])
        return len(rows)

    def copy(self, sql: str, parts: list) -> None:
        if self.stream is not None:
            self.stream.put(sql, parts)
            return
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            for part in parts:
                copy.write(part)

    def binary(self, model, columns: list[str], records: np.ndarray) -> int:
        """PostgreSQL COPY in binary format of a NumPy record array already laid out as COPY's
        tuples (big-endian field count, then length and value per field): no per-row Python and
        nothing for the server to parse."""
        if len(records):
            self.copy(
                f"COPY {model._meta.db_table} ({', '.join(columns)}) FROM STDIN (FORMAT BINARY)",
                [PG_COPY_SIGNATURE, records.tobytes(), PG_COPY_TRAILER],
            )
        return len(records)


@functools.cache
def _hms() -> list[str]:
    """ "HH:MM:SS" for each second of a day."""
    return [f"{h:02d}:{m:02d}:{s:02d}" for h in range(24) for m in range(60) for s in range(60)]


def _copy_text(value) -> str:
    """One value in COPY's text format."""
    if value is None:
        return "\\N"
    return str(value).translate(COPY_ESCAPES)


class IdBlock:
    """The seed gives its rows their ids itself, the ones the table's sequence would have given
    (the same values, in the same order), so it never reads ids back and can hand every COPY to
    the writer thread: the tables are locked against other writers for the transaction (the
    fresh-table path holds stronger locks anyway), the next id of each is read once, and the
    sequence is moved past the last id given at the end."""

    def __init__(self, models: list):
        self.next: dict = {}
        self.first: dict = {}
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                tables = ", ".join(m._meta.db_table for m in models)
                cursor.execute(f"LOCK TABLE {tables} IN SHARE ROW EXCLUSIVE MODE")
                for model in models:
                    cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [model._meta.db_table])
                    self.next[model] = cursor.fetchone()[0]
            else:  # AUTOINCREMENT: an explicit id moves sqlite_sequence itself
                for model in models:
                    table = model._meta.db_table
                    cursor.execute(
                        "SELECT max(n) FROM (SELECT seq AS n FROM sqlite_sequence WHERE name = %s "
                        f"UNION ALL SELECT max(id) FROM {table})",
                        [table],
                    )
                    self.next[model] = (cursor.fetchone()[0] or 0) + 1
        self.first = dict(self.next)

    def take(self, model, count: int) -> int:
        """The first of `count` consecutive ids for `model`'s next rows."""
        first = self.next[model]
        self.next[model] = first + count
        return first

    def release(self) -> None:
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            for model, value in self.next.items():
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s, false)", [model._meta.db_table, value]
                )


@contextmanager
def bulk_load(*, keys_of: list, indexes_of: list) -> Iterator[None]:
    """PostgreSQL, when every table is empty at the start (a fresh seed): drop the foreign keys
    and plain indexes (those behind no constraint) of `keys_of` and `indexes_of`, and the unique
    constraints of `indexes_of` too (the events and their rollups: ~50M rows at 100,000
    accounts), for the bulk load; put them back at the end and ANALYZE. A re-added key is
    checked in one join over its table instead of a deferred trigger per row queued until the
    commit, and an index built by sorting costs about a third of one maintained row by row
    (measured: docs/decisions.md); the builds get a larger maintenance_work_mem (sorts in
    memory, and room for PostgreSQL's parallel workers: the second core is idle by then).
    Inside the seed's transaction, so a failure restores them with everything else. Elsewhere
    (SQLite, or tables with rows) nothing changes."""
    if connection.vendor != "postgresql":
        yield
        return
    keys_tables = [m._meta.db_table for m in keys_of + indexes_of]
    index_tables = [m._meta.db_table for m in indexes_of]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(f"(SELECT 1 FROM {t} LIMIT 1)" for t in keys_tables))
        if cursor.fetchall():
            yield
            return
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = ANY(%s::regclass[]) AND (contype = 'f' OR (contype IN ('p', 'u') "
            " AND conrelid = ANY(%s::regclass[]) AND NOT EXISTS "
            " (SELECT 1 FROM pg_constraint r WHERE r.contype = 'f' AND r.confrelid = pg_constraint.conrelid))) "
            "ORDER BY contype = 'f' DESC, 1, 2",
            [keys_tables, index_tables],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "WHERE i.indrelid = ANY(%s::regclass[]) "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) ORDER BY 1",
            [keys_tables],
        )
        indexes = cursor.fetchall()
        # ALTER TABLE refuses while deferred checks are pending on a table
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table, name, _ in constraints:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {name}")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    yield
    with connection.cursor() as cursor:
        cursor.execute("SHOW maintenance_work_mem")
        memory = cursor.fetchone()[0]
        cursor.execute("SELECT set_config('maintenance_work_mem', %s, true)", [BUILD_MEMORY])
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        # unique constraints and indexes first, then the foreign keys (checked against them)
        for table, name, definition in reversed(constraints):
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        for _, definition in indexes:
            # a partitioned table's index reads "ON ONLY" (just the parent): build every partition's
            cursor.execute(definition.replace(" ON ONLY ", " ON ", 1))
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        cursor.execute("SELECT set_config('maintenance_work_mem', %s, true)", [memory])
        # fresh statistics for the steps that read these tables next (the events are left to
        # autovacuum: nothing in the seed reads them back)
        cursor.execute(f"ANALYZE {', '.join(t for t in keys_tables if t != UsageEvent._meta.db_table)}")


BUILD_MEMORY = "1GB"  # maintenance_work_mem for the index builds after a bulk load


# Section: the step


ACCOUNT_COLS = [
    "id",
    "external_id",
    "name",
    "domain",
    "industry",
    "tier",
    "segment",
    "lifecycle_stage",
    "owner_id",
    "parent_id",
    "currency",
    "custom_fields",
    "stripe_customer_id",
    "created_at",
    "updated_at",
    "mrr",
    "renewal_date",
    "health_band",
    "last_touch_at",
]
CONTACT_COLS = [
    "id",
    "external_id",
    "account_id",
    "name",
    "email",
    "title",
    "persona_id",
    "language",
    "timezone",
    "birthday",
    "last_seen_at",
    "custom_fields",
    "created_at",
    "updated_at",
]
SUB_COLS = [
    "id",
    "external_id",
    "account_id",
    "plan",
    "mrr",
    "currency",
    "seats",
    "entitlements",
    "start_date",
    "end_date",
    "is_trial",
    "canceled_at",
    "created_at",
    "updated_at",
]
TICKET_COLS = [
    "id",
    "external_id",
    "account_id",
    "contact_id",
    "subject",
    "opened_at",
    "first_response_at",
    "resolved_at",
    "agent_replies",
    "priority",
    "status",
    "escalated",
    "updated_at",
]
ACTIVITY_COLS = [
    "id",
    "account_id",
    "kind",
    "author_id",
    "contact_id",
    "subject",
    "body",
    "occurred_at",
    "metadata",
    "created_at",
]
EVENT_COLS = ["id", "account_id", "contact_id", "event", "occurred_at", "properties"]
USAGE_COLS = ["id", "account_id", "day", "events", "active_contacts", "contact_ids", "features"]
DAILY_COLS = ["id", "account_id", "day", "contact_id"]


def _revenue(plan: AccountPlan, today: date) -> tuple[Decimal, date | None]:
    """`accounts.services.account_revenue_refresh` for one planned account: MRR = the paid
    subscriptions active today, renewal = the nearest end date among them (a test holds the
    seed to the service)."""
    paid = [s for s in plan.subscriptions if not s[5] and s[3] <= today and (s[4] is None or s[4] > today)]
    return sum((s[1] for s in paid), Decimal(0)), min((s[4] for s in paid if s[4] is not None), default=None)


def seed_accounts(ctx: DemoContext) -> None:
    """The accounts step (registered first): see the module docstring."""
    from tqdm import tqdm

    users = demo_team_ensure()
    user_ids = {name: u.pk for name, u in users.items()}
    personas = {}
    for name, (description, _) in PERSONAS.items():
        personas[name] = Persona.objects.get_or_create(name=name, defaults={"description": description})[0].pk

    planner = Planner(seed=ctx.seed, today=ctx.today, event_scale=ctx.extra.get("event_scale", 1.0))
    writer = BulkWriter()
    if writer.pg:
        # the events table is partitioned by month (usage.ingest): make sure every month exists
        from usage.ingest import usage_partitions_ensure

        usage_partitions_ensure(
            months={planner.start + timedelta(days=d) for d in range(0, HISTORY_DAYS, 28)} | {ctx.today}
        )

    big_tables = [UsageEvent, AccountDailyUsage, AccountDailyContact]
    record_tables = [Account, Contact, Subscription, SupportTicket, Activity]
    checks = ExitStack()  # closed on success only: after a failure the transaction rolls back anyway
    checks.enter_context(bulk_load(keys_of=record_tables, indexes_of=big_tables))
    ids = IdBlock(record_tables + big_tables)
    first_account = ids.next[Account]
    chunk = ChunkWriter(ctx, writer, ids, planner, user_ids=user_ids, personas=personas)

    progress = tqdm(
        total=ctx.n_accounts,
        unit="acct",
        disable=ctx.extra.get("quiet", False),
        mininterval=1.0,
        desc="seed_demo accounts",
    )
    writer.start()
    try:
        for chunk_start in range(0, ctx.n_accounts, CHUNK):
            t0 = time.perf_counter()
            plans = [planner.plan(i) for i in range(chunk_start, min(ctx.n_accounts, chunk_start + CHUNK))]
            chunk.timing["plan"] += time.perf_counter() - t0
            chunk.write(plans, first_account)
            progress.update(len(plans))
            progress.set_postfix(events=f"{chunk.totals['events']:,}", refresh=False)
        progress.close()
        stream = writer.stream
        phase = time.perf_counter()
        writer.finish()
    except BaseException:
        writer.abort()
        raise
    timing = chunk.timing
    if stream is not None:
        timing["wait"] = stream.waited
        timing["drain"] = time.perf_counter() - phase
    phase = time.perf_counter()
    ids.release()
    checks.close()
    timing["keys"] = time.perf_counter() - phase

    account_ids = list(range(first_account, first_account + ctx.n_accounts))
    _costs_and_referrals(ctx, account_ids, chunk.churned)

    totals = chunk.totals
    ctx.log(
        f"accounts: {len(account_ids):,} accounts, {totals['contacts']:,} contacts, {totals['subscriptions']:,} "
        f"subscriptions, {totals['events']:,} events, {totals['tickets']:,} tickets, "
        f"{totals['activities']:,} activities"
    )
    ctx.log(
        f"accounts: {chunk.rollup_totals['daily_usage']:,} daily usage rollups, "
        f"{chunk.rollup_totals['daily_contacts']:,} daily active contacts (computed with the events)"
    )
    ctx.log("accounts: " + ", ".join(f"{k} {v:.1f} s" for k, v in timing.items()))
    # Seeded events carry no message id, so there are no dedupe keys to register. MRR and the
    # renewal date went in with the accounts (what account_revenue_refresh() computes).

    ctx.extra.update(
        account_ids=account_ids,
        csm_ids=[user_ids[name] for name in ENTERPRISE_POD + SCALE_POD],
        manager_ids=[user_ids["manager"], user_ids["manager2"]],
        admin_id=user_ids["admin"],
        start=planner.start,
        churned_account_ids=chunk.churned,
        at_risk_account_ids=chunk.at_risk,
        lost_trial_account_ids=chunk.trials_lost,
        totals=totals,
    )


class ChunkWriter:
    """Writes one chunk of planned accounts: their rows in every table, ids given from an IdBlock
    (account i gets the block's first id + i)."""

    def __init__(self, ctx: DemoContext, writer: BulkWriter, ids: IdBlock, planner: Planner, *, user_ids, personas):

        self.ctx, self.writer, self.ids, self.planner = ctx, writer, ids, planner
        self.user_ids, self.personas = user_ids, personas
        self.now_s = writer.ts(timezone.now())
        self.day_strs = [(planner.start + timedelta(days=d)).isoformat() for d in range(HISTORY_DAYS)]
        self.churned: set[int] = set()
        self.at_risk: set[int] = set()
        self.trials_lost: set[int] = set()
        self.timing = {"plan": 0.0, "records": 0.0, "events": 0.0, "rollups": 0.0}
        self.totals = {"contacts": 0, "subscriptions": 0, "events": 0, "tickets": 0, "activities": 0}
        self.rollup_totals = {"daily_usage": 0, "daily_contacts": 0}
        self.daily_usage, self.daily_contact = AccountDailyUsage, AccountDailyContact
        self.binary = writer.pg
        self.events_binary = None
        if writer.pg:
            extra_cols, extra_vals = writer.defaults(UsageEvent, EVENT_COLS)
            if all(v is None for v in extra_vals):
                self.events_binary = EventRecords(extra_cols)
            # binary rows name every column: the rollup tables must not have grown one
            self.binary = not writer.defaults(self.daily_contact, DAILY_COLS)[0]
        self.usage_binary = None
        if writer.pg and not writer.defaults(self.daily_usage, USAGE_COLS)[0]:
            self.usage_binary = UsageRecords()
        start = planner.start
        # seconds from PostgreSQL's epoch to the first day of the history, for binary timestamps
        self.start_us = (start - PG_EPOCH).days * 86_400 * 1_000_000

    def write(self, plans: list[AccountPlan], first_account: int) -> None:
        t0 = time.perf_counter()
        self._records(plans, first_account)
        self.timing["records"] += time.perf_counter() - t0
        t0 = time.perf_counter()
        arrays = self._events(plans)
        self.timing["events"] += time.perf_counter() - t0
        t0 = time.perf_counter()
        if arrays is not None:
            for key, count in self._rollups(*arrays).items():
                self.rollup_totals[key] += count
        self.timing["rollups"] += time.perf_counter() - t0

    # -- accounts, contacts, subscriptions, tickets, timeline --------------------------------------

    def _records(self, plans: list[AccountPlan], first_account: int) -> None:
        """Rows as tuples of plain values, NULL as the writer's token (so PostgreSQL's lines are
        one %-format each), ids given in order."""
        writer, ids, ts, now_s, seed = self.writer, self.ids, self.writer.ts, self.now_s, self.ctx.seed
        user_ids, personas, today, null = self.user_ids, self.personas, self.ctx.today, writer.null
        day_strs, hms, suffix = self.day_strs, _hms(), writer.tz_suffix
        rows = []
        account_id = ids.take(Account, len(plans))
        contact_id = ids.take(Contact, sum(len(p.contacts) for p in plans))
        for p in plans:
            p.account_id = account_id
            p.first_contact_id = contact_id
            account_id += 1
            contact_id += len(p.contacts)
            if p.fate == "churned":
                self.churned.add(p.account_id)
            elif p.fate == "at_risk":
                self.at_risk.add(p.account_id)
            elif p.fate == "trial_lost":
                self.trials_lost.add(p.account_id)
            parent = null
            # a few enterprise accounts are subsidiaries of an earlier one
            if p.segment == "Enterprise" and p.index > 20:
                crng = random.Random(f"{seed}:parent:{p.index}")
                if crng.random() < 0.08:
                    parent = first_account + crng.randrange(0, p.index)
            crng = random.Random(f"{seed}:custom:{p.index}")
            employees = int(p.subscriptions[-1][2] * crng.uniform(2, 6)) if p.subscriptions else 10
            stripe = f"cus_{crng.getrandbits(48):012x}" if crng.random() < 0.8 else ""
            mrr, renewal = _revenue(p, today)
            rows.append(
                (
                    p.account_id,
                    p.external_id,
                    p.name,
                    p.domain,
                    p.industry,
                    p.tier,
                    p.segment,
                    p.lifecycle,
                    user_ids[p.owner],
                    parent,
                    "USD",
                    f'{{"region": "{p.region}", "employees": {employees}}}',  # json.dumps' output
                    stripe,
                    ts(p.created_at),
                    now_s,
                    str(mrr),
                    renewal.isoformat() if renewal else null,
                    "",
                    ts(p.last_touch_at),
                )
            )
        writer.write(Account, ACCOUNT_COLS, rows)

        rows = []
        contact_id = plans[0].first_contact_id
        for p in plans:
            created = ts(p.created_at)
            last_seen = [
                null if s < 0 else f"{day_strs[s // 86400]} {hms[s % 86400]}{suffix}" for s in p.contact_last_seen
            ]
            for k, (ext, name, email, title, persona, lang, tz, birthday) in enumerate(p.contacts):
                rows.append(
                    (
                        contact_id,
                        ext,
                        p.account_id,
                        name,
                        email,
                        title,
                        personas[persona],
                        lang,
                        tz,
                        birthday.isoformat() if birthday else null,
                        last_seen[k],
                        "{}",
                        created,
                        now_s,
                    )
                )
                contact_id += 1
        self.totals["contacts"] += writer.write(Contact, CONTACT_COLS, rows)

        rows = []
        row_id = ids.next[Subscription]
        for p in plans:
            for k, (plan_name, mrr, seats, begin, end, trial, canceled, ent) in enumerate(p.subscriptions):
                rows.append(
                    (
                        row_id,
                        f"sub_{p.external_id}_{k + 1}",
                        p.account_id,
                        plan_name,
                        str(mrr),
                        "USD",
                        seats,
                        json.dumps(ent),
                        begin.isoformat(),
                        end.isoformat() if end else null,
                        trial,
                        ts(canceled),
                        ts(datetime(begin.year, begin.month, begin.day, tzinfo=UTC)),
                        now_s,
                    )
                )
                row_id += 1
        ids.take(Subscription, len(rows))
        self.totals["subscriptions"] += writer.write(Subscription, SUB_COLS, rows)

        rows = []
        row_id = ids.next[SupportTicket]
        for p in plans:
            for ext, contact, subject, opened, first, resolved, replies, priority, status, escalated in p.tickets:
                rows.append(
                    (
                        row_id,
                        ext,
                        p.account_id,
                        p.first_contact_id + contact,
                        subject,
                        ts(opened),
                        ts(first),
                        ts(resolved),
                        replies,
                        priority,
                        status,
                        escalated,
                        now_s,
                    )
                )
                row_id += 1
        ids.take(SupportTicket, len(rows))
        self.totals["tickets"] += writer.write(SupportTicket, TICKET_COLS, rows)

        rows = []
        row_id = ids.next[Activity]
        authors = {None: null, **user_ids}
        for p in plans:
            first_contact = p.first_contact_id
            for kind, author, contact, subject, body, at in p.activities:
                at_s = ts(at)
                rows.append(
                    (
                        row_id,
                        p.account_id,
                        kind,
                        authors[author],
                        null if contact is None else first_contact + contact,
                        subject,
                        body,
                        at_s,
                        "{}",
                        at_s,
                    )
                )
                row_id += 1
        ids.take(Activity, len(rows))
        self.totals["activities"] += writer.write(Activity, ACTIVITY_COLS, rows)

    # -- usage events ------------------------------------------------------------------------------

    def _events(self, plans: list[AccountPlan]):
        """Write the chunk's events; return them as arrays (account position in the chunk, day,
        event name, contact id or -1) for the rollups."""
        sizes = [len(p.ev_day) for p in plans]
        n = sum(sizes)
        if not n:
            return None
        position = np.repeat(np.arange(len(plans), dtype=np.int64), sizes)
        day = np.concatenate([p.ev_day for p in plans]).astype(np.int64)
        sec = np.concatenate([p.ev_sec for p in plans]).astype(np.int64)
        name = np.concatenate([p.ev_name for p in plans]).astype(np.int64)
        contact = np.concatenate([p.ev_contact for p in plans]).astype(np.int64)
        first_contact = np.array([p.first_contact_id for p in plans], dtype=np.int64)
        cid = np.where(contact >= 0, contact + first_contact[position], -1)
        account = plans[0].account_id + position
        first_id = self.ids.take(UsageEvent, n)
        if self.events_binary is not None:
            records = self.events_binary.build(
                first_id, account, self.start_us + (day * 86_400 + sec) * 1_000_000, cid, name
            )
            self.writer.binary(UsageEvent, self.events_binary.columns, records)
        else:
            day_strs, hms, tz, null = self.day_strs, _hms(), self.writer.tz_suffix, self.writer.null
            rows = [
                (i, a, null if c < 0 else c, EVENT_NAMES[e], f"{day_strs[d]} {hms[s]}{tz}", EVENT_PROPS[e])
                for i, a, d, s, e, c in zip(
                    range(first_id, first_id + n),
                    account.tolist(),
                    day.tolist(),
                    sec.tolist(),
                    name.tolist(),
                    cid.tolist(),
                    strict=True,
                )
            ]
            self.writer.write(UsageEvent, EVENT_COLS, rows)
        self.totals["events"] += n
        return plans, position, day, name, contact, first_contact

    # -- daily rollups -----------------------------------------------------------------------------

    def _rollups(self, plans, position, day, name, contact, first_contact) -> dict[str, int]:
        """The daily rollups of a chunk's events (AccountDailyUsage and AccountDailyContact),
        computed from the arrays the events were written from: exactly the rows
        `usage.rollups.usage_rollup_rebuild()` makes from the stored events (days are UTC, an
        event's day is its plan day; contact ids ascending, like PostgreSQL's
        jsonb_agg(DISTINCT); tests/accounts/test_demo.py compares the two), without reading 20M
        events back."""
        writer, day_strs = self.writer, self.day_strs
        n_names = len(EVENT_NAMES)
        # one row per (account, day) with events, in (account, day) order: the events come
        # sorted by day within each account, so a row starts wherever the key changes
        key = position * HISTORY_DAYS + day
        if len(key) > 1 and (key[1:] >= key[:-1]).all():
            starts = np.concatenate([[True], key[1:] != key[:-1]])
            keys, row = key[starts], np.cumsum(starts) - 1
        else:
            keys, row = np.unique(key, return_inverse=True)
        n_rows = len(keys)
        row_position = keys // HISTORY_DAYS
        events = np.bincount(row, minlength=n_rows)
        features = np.bincount(row * n_names + name, minlength=n_rows * n_names).reshape(n_rows, n_names)
        # distinct (row, contact) pairs, contacts ascending within a row (an account's contact ids
        # follow its contacts' order): marks in a bitmap of rows x the chunk's largest contact list
        seen = contact >= 0
        bits = max(1, int(contact.max(initial=0)).bit_length())
        marks = np.zeros(n_rows << bits, dtype=bool)
        marks[(row[seen] << bits) | contact[seen]] = True
        pairs = np.flatnonzero(marks)
        pair_row = pairs >> bits
        pair_contact = (pairs & ((1 << bits) - 1)) + first_contact[row_position[pair_row]]
        active = np.bincount(pair_row, minlength=n_rows)
        row_account = plans[0].account_id + row_position
        first_id = self.ids.take(self.daily_usage, n_rows)
        if self.usage_binary is not None:
            records = self.usage_binary.build(
                first_id,
                row_account,
                (self.planner.start - PG_EPOCH).days + keys % HISTORY_DAYS,
                events,
                active,
                features,
                pair_row,
                pair_contact,
            )
            writer.binary(self.daily_usage, self.usage_binary.columns, records)
            written = {"daily_usage": n_rows, "daily_contacts": 0}
        else:
            written = {
                "daily_usage": self._usage_rows(
                    first_id, keys, row_account, events, active, features, pair_row, pair_contact
                ),
                "daily_contacts": 0,
            }
        if not len(pairs):
            return written
        first_id = self.ids.take(self.daily_contact, len(pairs))
        if self.binary:
            records = np.empty(len(pairs), DAILY_CONTACT_TUPLE)
            records["n"], records["l0"], records["l1"], records["l2"], records["l3"] = 4, 8, 8, 4, 8
            records["id"] = np.arange(first_id, first_id + len(pairs), dtype=np.int64)
            records["account"] = row_account[pair_row]
            records["day"] = (self.planner.start - PG_EPOCH).days + (keys % HISTORY_DAYS)[pair_row]
            records["contact"] = pair_contact
            written["daily_contacts"] = writer.binary(self.daily_contact, DAILY_COLS, records)
        else:
            items = zip(
                range(first_id, first_id + len(pairs)),
                row_account[pair_row].tolist(),
                [day_strs[d] for d in (keys % HISTORY_DAYS)[pair_row].tolist()],
                pair_contact.tolist(),
                strict=True,
            )
            written["daily_contacts"] = writer.write(self.daily_contact, DAILY_COLS, list(items))
        return written

    def _usage_rows(self, first_id, keys, row_account, events, active, features, pair_row, pair_contact) -> int:
        """AccountDailyUsage rows as plain values (SQLite, or a table with a column this module
        does not know): contact ids as `[1, 2]`, features as json.dumps writes them."""
        bounds = np.concatenate([[0], np.cumsum(active)]).tolist()
        contact_strs = [str(c) for c in pair_contact.tolist()]
        feature_json: dict[bytes, str] = {}
        feature_texts = []
        for counts in features:
            key = counts.tobytes()
            text = feature_json.get(key)
            if text is None:
                text = json.dumps({EVENT_NAMES[k]: int(n) for k, n in enumerate(counts.tolist()) if n})
                feature_json[key] = text
            feature_texts.append(text)
        n_rows = len(keys)
        rows = zip(
            range(first_id, first_id + n_rows),
            row_account.tolist(),
            [self.day_strs[d] for d in (keys % HISTORY_DAYS).tolist()],
            events.tolist(),
            active.tolist(),
            ["[" + ", ".join(contact_strs[bounds[k] : bounds[k + 1]]) + "]" for k in range(n_rows)],
            feature_texts,
            strict=True,
        )
        return self.writer.write(self.daily_usage, USAGE_COLS, list(rows))


def _costs_and_referrals(ctx: DemoContext, account_ids: list[int], churned: set[int]) -> None:
    rng = ctx.rng_for("accounts:costs")
    month = date(ctx.today.year - 1, ctx.today.month, 1)
    staff = 8 * 9500 * max(1, ctx.n_accounts // 200) ** 0.5
    entries = []
    for _ in range(12):
        nxt = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
        for category, amount in (("staff", staff), ("tools", staff * 0.08), ("loyalty", staff * 0.03)):
            entries.append(
                CostEntry(
                    period_start=month,
                    period_end=nxt,
                    category=category,
                    amount=Decimal(round(amount * rng.uniform(0.95, 1.05))),
                    note="Demo",
                )
            )
        month = nxt
    CostEntry.objects.bulk_create(entries)
    candidates = [a for a in account_ids if a not in churned]
    referrals = []
    for referrer in rng.sample(candidates, min(len(candidates), max(2, len(account_ids) // 40))):
        won = rng.random() < 0.4
        referrals.append(
            Referral(
                referring_account_id=referrer,
                referred_name=f"{rng.choice(PREFIXES)}{rng.choice(ROOTS)} Inc",
                status="won" if won else rng.choice(["pending", "lost"]),
                revenue=Decimal(rng.randint(5, 60) * 100) if won else Decimal("0"),
                created_at=_at(ctx.today - timedelta(days=rng.randint(5, 300)), rng),
            )
        )
    Referral.objects.bulk_create(referrals)
