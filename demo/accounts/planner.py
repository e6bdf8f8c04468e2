"""Planning one account: what it is, what it buys, who works there, what they do for a year
(events as NumPy arrays), their tickets and timeline. Every account draws from its own
generator, so its data depends on neither the chunk size nor the accounts before it."""

import math
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import numpy as np

from accounts.choices import ActivityKind, LifecycleStage, TicketPriority, TicketStatus, Tier

from .draws import _add_years, _at, _below, _entitlements, _int, _pick, _total, _weighted
from .team import ENTERPRISE_POD, SCALE_POD
from .vocabulary import (
    ASCII,
    EVENT_CDF,
    EVENT_NAMES,
    HOUR_CDF,
    INDUSTRIES,
    LANGUAGE_TOTAL,
    LANGUAGE_WEIGHTS,
    LANGUAGES,
    NAME_ASCII,
    NAMES,
    PERSONAS,
    PLAN_LADDER,
    PREFIXES,
    PRIORITIES,
    PRIORITIES_TOTAL,
    QUALIFIERS,
    ROOTS,
    SEGMENTS,
    SEGMENTS_TOTAL,
    SUFFIXES,
    TEAMS,
    TICKET_SUBJECTS,
    TIER_BY_SEGMENT,
    TIER_PROFILE,
    TIER_TOTALS,
    TLDS,
    TOUCH_KINDS,
    TOUCH_KINDS_KEY,
    TOUCH_TEMPLATES,
)

__all__ = ["HISTORY_DAYS", "AccountPlan", "Planner"]

HISTORY_DAYS = 365


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
