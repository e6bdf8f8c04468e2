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
`executemany`, in chunks of accounts, so N=100,000 with ~20M events takes minutes. Columns this
module does not know (added later by another floor) get their model default.
"""

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
    UsageEvent,
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
    contact_last_seen: list = field(default_factory=list)


# Small draws from the account's random.Random, scaled from rng.random(): the library's
# choice / randint / choices cost 3-5x more, and an account makes a few hundred draws.


def _pick(rng: random.Random, seq):
    return seq[int(rng.random() * len(seq))]


def _below(rng: random.Random, n: int) -> int:
    return int(rng.random() * n)


def _int(rng: random.Random, low: int, high: int) -> int:
    """An integer in [low, high], like randint."""
    return low + int(rng.random() * (high - low + 1))


def _weighted(rng: random.Random, pairs):
    x = rng.random() * sum(w for _, w in pairs)
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
        segment = _weighted(rng, SEGMENTS)
        tier = _weighted(rng, TIER_BY_SEGMENT[segment])
        language = _weighted(rng, [(lang, w) for lang, (w, _) in LANGUAGES.items()])
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
                first_ascii, last_ascii = first.lower().translate(ASCII), last.lower().translate(ASCII)
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
        days = np.arange(HISTORY_DAYS, dtype=np.int64)
        *_, per_day, _ = TIER_PROFILE[plan.tier]
        seats = plan.subscriptions[-1][2] if plan.subscriptions else 5
        size = (seats / np.mean(TIER_PROFILE[plan.tier][2])) ** 0.5
        mult = np.full(HISTORY_DAYS, per_day * self.event_scale * size * rng.lognormvariate(0, 0.3))
        created_day = (created - self.start).days
        alive = days >= created_day
        # onboarding ramp over the first 45 days
        ramp = np.clip((days - created_day) / 45.0, 0.25, 1.0)
        mult = mult * np.where(alive, ramp, 0.0)
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
            mult = mult * np.linspace(0.75, 1.35, HISTORY_DAYS)
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
        base = datetime(self.start.year, self.start.month, self.start.day, tzinfo=UTC)
        plan.contact_last_seen = [base + timedelta(seconds=int(s)) if s >= 0 else None for s in last]

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
            priority = _weighted(
                rng,
                [
                    (TicketPriority.LOW, 20),
                    (TicketPriority.NORMAL, 55),
                    (TicketPriority.HIGH, 20),
                    (TicketPriority.URGENT, 5),
                ],
            )
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
        kinds = [
            (ActivityKind.NOTE, 35),
            (ActivityKind.CALL, 25),
            (ActivityKind.MEETING, 15 if plan.tier == Tier.KEY else 25),
            (ActivityKind.EMAIL, 25),
        ]
        while day < stop:
            kind = _weighted(rng, kinds)
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


PG_COPY_SIGNATURE = b"PGCOPY\n\xff\r\n\0" + bytes(8)  # signature, flags, header extension length
PG_EPOCH = date(2000, 1, 1)  # binary dates count days from here
# one AccountDailyContact row as a binary COPY tuple: (account_id int8, day date, contact_id int8)
DAILY_CONTACT_TUPLE = np.dtype(
    [("n", ">i2"), ("l1", ">i4"), ("account", ">i8"), ("l2", ">i4"), ("day", ">i4"), ("l3", ">i4"), ("contact", ">i8")]
)


class BulkWriter:
    """Bulk inserts: PostgreSQL COPY or SQLite executemany. Columns a caller does not pass get the
    model field's default, so a column another floor adds later does not break the seed."""

    def __init__(self):
        self.pg = connection.vendor == "postgresql"
        self.tz_suffix = "+00" if self.pg else ""

    def ts(self, value: datetime | None) -> str | None:
        if value is None:
            return None
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S") + self.tz_suffix

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
            if f.primary_key or f.column in columns:
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
        if not rows:
            return 0
        extra_cols, extra_vals = self.defaults(model, columns)
        all_cols = columns + extra_cols
        table = model._meta.db_table
        with connection.cursor() as cursor:
            if self.pg:
                with cursor.cursor.copy(f"COPY {table} ({', '.join(all_cols)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row + extra_vals)
            else:
                marks = ", ".join(["%s"] * len(all_cols))
                cursor.executemany(
                    f"INSERT INTO {table} ({', '.join(all_cols)}) VALUES ({marks})",
                    [row + extra_vals for row in rows],
                )
        return len(rows)

    def ids(self, model, key: str, values: list, where: str = "") -> dict:
        """{key value: id} for rows whose `key` is in values."""
        result = {}
        table = model._meta.db_table
        with connection.cursor() as cursor:
            for k in range(0, len(values), 900):
                part = values[k : k + 900]
                marks = ", ".join(["%s"] * len(part))
                cursor.execute(f"SELECT {key}, id FROM {table} WHERE {key} IN ({marks})", part)
                result.update(cursor.fetchall())
        return result

    def binary(self, model, columns: list[str], records: np.ndarray) -> int:
        """PostgreSQL COPY in binary format of a NumPy record array already laid out as COPY's
        tuples (big-endian field count, then length and value per field): no per-row Python and
        nothing for the server to parse. Every other column must have a database default."""
        table = model._meta.db_table
        with connection.cursor() as cursor:
            with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN (FORMAT BINARY)") as copy:
                copy.write(PG_COPY_SIGNATURE)
                copy.write(records.tobytes())
                copy.write(b"\xff\xff")
        return len(records)

    def events(self, columns: list[str], blocks, model=UsageEvent) -> int:
        """Events (and their daily rollups) are the bulk of the data: one COPY per chunk of
        accounts, fed block by block. On PostgreSQL a block is pre-formatted COPY text lines,
        sent by psycopg's queued writer thread so the database works while Python builds the
        next block; on SQLite a block is a list of row tuples."""
        extra_cols, extra_vals = self.defaults(model, columns)
        table = model._meta.db_table
        sql_cols = ", ".join(columns + extra_cols)
        written = 0
        with connection.cursor() as cursor:
            if self.pg:
                from psycopg.copy import QueuedLibpqWriter

                suffix = "".join("\t" + ("\\N" if v is None else str(v).replace("\\", "\\\\")) for v in extra_vals)
                raw = cursor.cursor
                with raw.copy(f"COPY {table} ({sql_cols}) FROM STDIN", writer=QueuedLibpqWriter(raw)) as copy:
                    for lines in blocks:
                        if lines:
                            copy.write((suffix + "\n").join(lines) + suffix + "\n")
                            written += len(lines)
            else:
                marks = ", ".join(["%s"] * (len(columns) + len(extra_cols)))
                for rows in blocks:
                    if rows:
                        cursor.executemany(
                            f"INSERT INTO {table} ({sql_cols}) VALUES ({marks})", [row + extra_vals for row in rows]
                        )
                        written += len(rows)
        return written


@contextmanager
def bulk_load(*, keys_of: list, indexes_of: list) -> Iterator[None]:
    """PostgreSQL, when every table is empty at the start (a fresh seed): drop the foreign keys
    and plain indexes (those behind no constraint) of `keys_of` and `indexes_of`, and the unique
    constraints of `indexes_of` too (the events and their rollups: ~45M rows at 100,000
    accounts; keys_of keep theirs, which the seed reads ids by), for the bulk load; put them back
    at the end and ANALYZE. A re-added key is checked in one join over its table instead of a
    deferred trigger per row queued until the commit, and an index built by sorting costs about
    a third of one maintained row by row (measured: docs/decisions.md). Inside the seed's
    transaction, so a failure restores them with everything else. Elsewhere (SQLite, or tables
    with rows) nothing changes."""
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
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        # unique constraints and indexes first, then the foreign keys (checked against them)
        for table, name, definition in reversed(constraints):
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        for _, definition in indexes:
            # a partitioned table's index reads "ON ONLY" (just the parent): build every partition's
            cursor.execute(definition.replace(" ON ONLY ", " ON ", 1))
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        # fresh statistics for the steps that read these tables next (the events are left to
        # autovacuum: nothing in the seed reads them back)
        cursor.execute(f"ANALYZE {', '.join(t for t in keys_tables if t != UsageEvent._meta.db_table)}")


# Section: the step


ACCOUNT_COLS = [
    "external_id",
    "name",
    "domain",
    "industry",
    "tier",
    "segment",
    "lifecycle_stage",
    "owner_id",
    "currency",
    "custom_fields",
    "stripe_customer_id",
    "created_at",
    "updated_at",
    "mrr",
    "health_band",
    "last_touch_at",
]
CONTACT_COLS = [
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
EVENT_COLS = ["account_id", "contact_id", "event", "occurred_at", "properties"]


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
    now_s = writer.ts(timezone.now())
    base_day = planner.start
    day_strs = [(base_day + timedelta(days=d)).isoformat() for d in range(HISTORY_DAYS)]
    hms = [f"{h:02d}:{m:02d}:{s:02d}" for h in range(24) for m in range(60) for s in range(60)]

    if writer.pg:
        # the events table is partitioned by month (accounts.ingest): make sure every month exists
        from .ingest import usage_partitions_ensure

        usage_partitions_ensure(
            months={planner.start + timedelta(days=d) for d in range(0, HISTORY_DAYS, 28)} | {ctx.today}
        )

    account_ids: list[int] = []
    churned: set[int] = set()
    at_risk: set[int] = set()
    trials_lost: set[int] = set()
    parents: list[tuple[int, int]] = []  # (child index, parent index)
    index_to_id: dict[int, int] = {}
    timing = {"plan": 0.0, "records": 0.0, "events": 0.0, "rollups": 0.0}
    rollup_totals = {"daily_usage": 0, "daily_contacts": 0}
    totals = {"contacts": 0, "subscriptions": 0, "events": 0, "tickets": 0, "activities": 0}

    from . import models

    big_tables = [UsageEvent, models.AccountDailyUsage]
    if hasattr(models, "AccountDailyContact"):
        big_tables.append(models.AccountDailyContact)
    checks = ExitStack()  # closed on success only: after a failure the transaction rolls back anyway
    checks.enter_context(
        bulk_load(keys_of=[Account, Contact, Subscription, SupportTicket, Activity], indexes_of=big_tables)
    )

    progress = tqdm(
        total=ctx.n_accounts,
        unit="acct",
        disable=ctx.extra.get("quiet", False),
        mininterval=1.0,
        desc="seed_demo accounts",
    )
    for chunk_start in range(0, ctx.n_accounts, CHUNK):
        t0 = time.perf_counter()
        plans = [planner.plan(i) for i in range(chunk_start, min(ctx.n_accounts, chunk_start + CHUNK))]
        timing["plan"] += time.perf_counter() - t0
        t0 = time.perf_counter()
        for p in plans:
            crng = random.Random(f"{ctx.seed}:parent:{p.index}")
            if p.segment == "Enterprise" and p.index > 20 and crng.random() < 0.08:
                parents.append((p.index, crng.randrange(0, p.index)))

        # accounts
        rows = []
        for p in plans:
            crng = random.Random(f"{ctx.seed}:custom:{p.index}")
            custom = {
                "region": p.region,
                "employees": int(p.subscriptions[-1][2] * crng.uniform(2, 6)) if p.subscriptions else 10,
            }
            stripe = f"cus_{crng.getrandbits(48):012x}" if crng.random() < 0.8 else ""
            rows.append(
                (
                    p.external_id,
                    p.name,
                    p.domain,
                    p.industry,
                    p.tier,
                    p.segment,
                    p.lifecycle,
                    user_ids[p.owner],
                    "USD",
                    json.dumps(custom),
                    stripe,
                    writer.ts(p.created_at),
                    now_s,
                    "0",
                    "",
                    writer.ts(p.last_touch_at),
                )
            )
        writer.write(Account, ACCOUNT_COLS, rows)
        ids = writer.ids(Account, "external_id", [p.external_id for p in plans])
        for p in plans:
            aid = ids[p.external_id]
            p.account_id = aid
            index_to_id[p.index] = aid
            account_ids.append(aid)
            if p.fate == "churned":
                churned.add(aid)
            elif p.fate == "at_risk":
                at_risk.add(aid)
            elif p.fate == "trial_lost":
                trials_lost.add(aid)

        # contacts
        rows = []
        for p in plans:
            created = writer.ts(p.created_at)
            for k, (ext, name, email, title, persona, lang, tz, birthday) in enumerate(p.contacts):
                rows.append(
                    (
                        ext,
                        p.account_id,
                        name,
                        email,
                        title,
                        personas[persona],
                        lang,
                        tz,
                        birthday.isoformat() if birthday else None,
                        writer.ts(p.contact_last_seen[k]),
                        "{}",
                        created,
                        now_s,
                    )
                )
        totals["contacts"] += writer.write(Contact, CONTACT_COLS, rows)
        contact_ids = writer.ids(Contact, "external_id", [c[0] for p in plans for c in p.contacts])
        for p in plans:
            p.contact_ids = [contact_ids[c[0]] for c in p.contacts]

        # subscriptions
        rows = []
        for p in plans:
            for k, (plan_name, mrr, seats, begin, end, trial, canceled, ent) in enumerate(p.subscriptions):
                rows.append(
                    (
                        f"sub_{p.external_id}_{k + 1}",
                        p.account_id,
                        plan_name,
                        str(mrr),
                        "USD",
                        seats,
                        json.dumps(ent),
                        begin.isoformat(),
                        end.isoformat() if end else None,
                        trial,
                        writer.ts(canceled),
                        f"{begin.isoformat()} 00:00:00{writer.tz_suffix}",
                        now_s,
                    )
                )
        totals["subscriptions"] += writer.write(Subscription, SUB_COLS, rows)

        # tickets
        rows = []
        for p in plans:
            for ext, contact, subject, opened, first, resolved, replies, priority, status, escalated in p.tickets:
                rows.append(
                    (
                        ext,
                        p.account_id,
                        p.contact_ids[contact],
                        subject,
                        writer.ts(opened),
                        writer.ts(first),
                        writer.ts(resolved),
                        replies,
                        priority,
                        status,
                        escalated,
                        now_s,
                    )
                )
        totals["tickets"] += writer.write(SupportTicket, TICKET_COLS, rows)

        # timeline
        rows = []
        for p in plans:
            for kind, author, contact, subject, body, at in p.activities:
                rows.append(
                    (
                        p.account_id,
                        kind,
                        user_ids[author] if author else None,
                        p.contact_ids[contact] if contact is not None else None,
                        subject,
                        body,
                        writer.ts(at),
                        "{}",
                        writer.ts(at),
                    )
                )
        totals["activities"] += writer.write(Activity, ACTIVITY_COLS, rows)

        timing["records"] += time.perf_counter() - t0
        t0 = time.perf_counter()

        # usage events
        for p in plans:
            # the contact's id per event, -1 for none
            p.ev_cid = np.array([*p.contact_ids, -1], dtype=np.int64)[p.ev_contact]

        def blocks(plans=plans):
            for p in plans:
                if not len(p.ev_day):
                    continue
                cids = p.ev_cid.tolist()
                columns = zip(p.ev_day.tolist(), p.ev_sec.tolist(), p.ev_name.tolist(), cids, strict=True)
                if writer.pg:
                    aid = str(p.account_id)
                    yield [
                        f"{aid}\t{'\\N' if c < 0 else c}\t{EVENT_NAMES[e]}\t{day_strs[d]} {hms[s]}+00\t{EVENT_PROPS[e]}"
                        for d, s, e, c in columns
                    ]
                else:
                    yield [
                        (p.account_id, None if c < 0 else c, EVENT_NAMES[e], f"{day_strs[d]} {hms[s]}", EVENT_PROPS[e])
                        for d, s, e, c in columns
                    ]

        totals["events"] += writer.events(EVENT_COLS, blocks())
        timing["events"] += time.perf_counter() - t0
        t0 = time.perf_counter()
        for key, count in _rollups_write(writer, plans, day_strs, planner.start).items():
            rollup_totals[key] += count
        timing["rollups"] += time.perf_counter() - t0
        progress.update(len(plans))
        progress.set_postfix(events=f"{totals['events']:,}", refresh=False)
    progress.close()

    # hierarchies: a few enterprise accounts are subsidiaries of another
    for child, parent in parents:
        Account.objects.filter(pk=index_to_id[child]).update(parent_id=index_to_id[parent])
    phase = time.perf_counter()
    checks.close()
    timing["keys"] = time.perf_counter() - phase

    _costs_and_referrals(ctx, account_ids, churned)

    ctx.log(
        f"accounts: {len(account_ids):,} accounts, {totals['contacts']:,} contacts, {totals['subscriptions']:,} "
        f"subscriptions, {totals['events']:,} events, {totals['tickets']:,} tickets, "
        f"{totals['activities']:,} activities"
    )
    ctx.log(
        f"accounts: {rollup_totals['daily_usage']:,} daily usage rollups, "
        f"{rollup_totals['daily_contacts']:,} daily active contacts (computed with the events)"
    )
    ctx.log("accounts: " + ", ".join(f"{k} {v:.1f} s" for k, v in timing.items()))
    # Seeded events carry no message id, so there are no dedupe keys to register.
    phase = time.perf_counter()
    from .services import account_revenue_refresh

    account_revenue_refresh(today=ctx.today)
    ctx.log(f"accounts: revenue refreshed in {time.perf_counter() - phase:.1f} s")

    ctx.extra.update(
        account_ids=account_ids,
        csm_ids=[user_ids[name] for name in ENTERPRISE_POD + SCALE_POD],
        manager_ids=[user_ids["manager"], user_ids["manager2"]],
        admin_id=user_ids["admin"],
        start=planner.start,
        churned_account_ids=churned,
        at_risk_account_ids=at_risk,
        lost_trial_account_ids=trials_lost,
        totals=totals,
    )


DAILY_COLS = ["account_id", "day", "contact_id"]


def _rollups_write(writer: BulkWriter, plans: list[AccountPlan], day_strs: list[str], start: date) -> dict[str, int]:
    """The daily rollups of a chunk's events (AccountDailyUsage, and AccountDailyContact where
    that model exists), computed from the arrays the events were written from: exactly the rows
    `accounts.rollups.usage_rollup_rebuild()` makes from the stored events (days are UTC, an
    event's day is its plan day; contact ids ascending, like PostgreSQL's jsonb_agg(DISTINCT);
    tests/accounts/test_demo.py compares the two), without reading 20M events back."""
    from . import models

    daily_contact = getattr(models, "AccountDailyContact", None)
    n_names = len(EVENT_NAMES)
    sizes = [len(p.ev_day) for p in plans]
    if not sum(sizes):
        return {"daily_usage": 0, "daily_contacts": 0}
    position = np.repeat(np.arange(len(plans), dtype=np.int64), sizes)
    day = np.concatenate([p.ev_day for p in plans]).astype(np.int64)
    name = np.concatenate([p.ev_name for p in plans]).astype(np.int64)
    cid = np.concatenate([p.ev_cid for p in plans])
    # one row per (account, day) with events, in (account, day) order
    keys, row = np.unique(position * HISTORY_DAYS + day, return_inverse=True)
    n_rows = len(keys)
    events = np.bincount(row, minlength=n_rows)
    features = np.bincount(row * n_names + name, minlength=n_rows * n_names).reshape(n_rows, n_names)
    # distinct (row, contact) pairs, contacts ascending within a row
    seen = cid >= 0
    pairs = np.unique((row[seen] << 32) | cid[seen])
    pair_row, pair_contact = pairs >> 32, pairs & 0xFFFFFFFF
    active = np.bincount(pair_row, minlength=n_rows)
    bounds = np.concatenate([[0], np.cumsum(active)]).tolist()
    account_ids = [p.account_id for p in plans]
    row_account = [account_ids[k] for k in (keys // HISTORY_DAYS).tolist()]
    row_day = [day_strs[d] for d in (keys % HISTORY_DAYS).tolist()]
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
    contact_lists = ["[" + ", ".join(contact_strs[bounds[k] : bounds[k + 1]]) + "]" for k in range(n_rows)]
    usage_cols = ["account_id", "day", "events", "active_contacts", "contact_ids", "features"]
    rows = zip(row_account, row_day, events.tolist(), active.tolist(), contact_lists, feature_texts, strict=True)
    if writer.pg:
        usage = [f"{a}\t{d}\t{n}\t{c}\t{ids}\t{f}" for a, d, n, c, ids, f in rows]
    else:
        usage = list(rows)
    written = {"daily_usage": writer.events(usage_cols, [usage], model=models.AccountDailyUsage), "daily_contacts": 0}
    if daily_contact is not None and len(pairs) and writer.pg and not writer.defaults(daily_contact, DAILY_COLS)[0]:
        records = np.empty(len(pairs), DAILY_CONTACT_TUPLE)
        records["n"], records["l1"], records["l2"], records["l3"] = 3, 8, 4, 8
        records["account"] = np.array(account_ids, dtype=np.int64)[keys // HISTORY_DAYS][pair_row]
        records["day"] = (start - PG_EPOCH).days + (keys % HISTORY_DAYS)[pair_row]
        records["contact"] = pair_contact
        written["daily_contacts"] = writer.binary(daily_contact, DAILY_COLS, records)
    elif daily_contact is not None and len(pairs):
        pair_key = pair_row.tolist()
        items = zip((row_account[k] for k in pair_key), (row_day[k] for k in pair_key), contact_strs, strict=True)
        if writer.pg:
            lines = [f"{a}\t{d}\t{c}" for a, d, c in items]
        else:
            lines = [(a, d, int(c)) for a, d, c in items]
        written["daily_contacts"] = writer.events(DAILY_COLS, [lines], model=daily_contact)
    return written


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
