"""Demo step "onboarding": two success maps (Champion, Executive sponsor; the first with two
versions), tech-touch and high-touch checklist templates, checklists for accounts whose contract
started in the last 120 days (items completed from their real demo events, manual ones ticked
around their due dates), and success plans for a sample of paying accounts, some stuck, some
shared with a contact. Deterministic for a seed (DemoContext.rng_for)."""

from datetime import UTC, datetime, time, timedelta

from accounts.models import Account, Contact, Persona
from onboarding import services
from onboarding.choices import ChecklistStatus, CompletionSource, ItemOwner, MilestoneKind, TouchModel, VehicleKind
from onboarding.models import (
    AccountChecklist,
    AccountChecklistItem,
    ChecklistTemplate,
    OnboardingSettings,
    PlanGoal,
    PlanShareLink,
    SuccessMap,
    SuccessPlan,
)
from usage.models import UsageEvent

from .context import DemoContext
from .sql import events_analyze

MAX_CHECKLISTS = 1500
MAX_PLANS = 300

CHAMPION_MAP = [
    (
        "Set up",
        "Data flows in and the team is invited.",
        [
            ("Connect the first data source", MilestoneKind.EVENT, "integration_connected", None),
            ("Invite the team", MilestoneKind.EVENT, "user_invited", None),
            ("Kickoff call held", MilestoneKind.MANUAL, "", None),
        ],
        [
            ("In-app setup checklist", VehicleKind.TRAINING, "https://help.example.com/setup"),
            ("Setup fundamentals course", VehicleKind.CURRICULUM, "https://academy.example.com/setup"),
        ],
    ),
    (
        "Adopt",
        "Reports are part of the weekly routine.",
        [
            ("First report created", MilestoneKind.EVENT, "report_created", None),
            ("Three active users a month", MilestoneKind.METRIC, "", ("active_users_30d", "gte", 3)),
        ],
        [
            ("Report builder walkthrough", VehicleKind.TRAINING, "https://help.example.com/reports"),
            ("Analysts' community", VehicleKind.COMMUNITY, "https://community.example.com/analysts"),
        ],
    ),
    (
        "Expand",
        "More teams, alerts and automations.",
        [
            ("Alerts configured", MilestoneKind.EVENT, "alert_configured", None),
            ("Busy month (200+ events)", MilestoneKind.METRIC, "", ("events_30d", "gte", 200)),
        ],
        [("Automation masterclass", VehicleKind.CURRICULUM, "https://academy.example.com/automation")],
    ),
    (
        "Advocate",
        "The champion speaks for us.",
        [
            ("Health 70+", MilestoneKind.METRIC, "", ("health_score", "gte", 70)),
            ("Reference call or review", MilestoneKind.MANUAL, "", None),
        ],
        [("Champions' community", VehicleKind.COMMUNITY, "https://community.example.com/champions")],
    ),
]

SPONSOR_MAP = [
    (
        "Kickoff",
        "Success criteria agreed.",
        [("Success criteria signed off", MilestoneKind.MANUAL, "", None)],
        [("Executive onboarding guide", VehicleKind.CURRICULUM, "https://academy.example.com/executives")],
    ),
    (
        "Value review",
        "The first numbers show value.",
        [
            ("First value report shared", MilestoneKind.EVENT, "report_created", None),
            ("Value review meeting", MilestoneKind.MANUAL, "", None),
        ],
        [("ROI calculator", VehicleKind.TRAINING, "https://help.example.com/roi")],
    ),
    (
        "Business review",
        "Quarterly business review with outcomes.",
        [("QBR held", MilestoneKind.MANUAL, "", None)],
        [("Executive round table", VehicleKind.COMMUNITY, "https://community.example.com/executives")],
    ),
    (
        "Renewal & expansion",
        "Renewed, with a plan to grow.",
        [("Renewal signed", MilestoneKind.MANUAL, "", None)],
        [],
    ),
]

TECH_TOUCH_ITEMS = [
    ("Watch the getting-started course", ItemOwner.CUSTOMER, 3, ""),
    ("Connect a data source", ItemOwner.CUSTOMER, 7, "integration_connected"),
    ("Invite teammates", ItemOwner.CUSTOMER, 10, "user_invited"),
    ("Create the first report", ItemOwner.CUSTOMER, 14, "report_created"),
    ("Configure an alert", ItemOwner.CUSTOMER, 21, "alert_configured"),
    ("Automated check-in e-mail", ItemOwner.CSM, 30, ""),
]
HIGH_TOUCH_ITEMS = [
    ("Kickoff session", ItemOwner.CSM, 3, ""),
    ("Technical setup session", ItemOwner.CSM, 10, ""),
    ("Connect data sources", ItemOwner.CUSTOMER, 14, "integration_connected"),
    ("Build the first dashboard together", ItemOwner.CUSTOMER, 21, "report_created"),
    ("Train the team", ItemOwner.CSM, 30, ""),
    ("Strategic review", ItemOwner.CSM, 60, ""),
]


def _build_map(persona: Persona, name: str, description: str, stages) -> SuccessMap:
    success_map = SuccessMap.objects.filter(persona=persona, name=name).first()
    if success_map is not None:
        return success_map
    success_map = services.success_map_create(persona=persona, name=name, description=description)
    draft = success_map.versions.get()
    for stage_name, stage_description, milestones, vehicles in stages:
        stage = services.stage_create(version=draft, name=stage_name, description=stage_description)
        for title, kind, event, metric in milestones:
            key, op, threshold = metric or ("", "gte", None)
            services.milestone_create(
                stage=stage,
                title=title,
                kind=kind,
                event_name=event,
                metric_key=key,
                metric_op=op,
                metric_threshold=threshold,
            )
        for title, kind, url in vehicles:
            services.vehicle_create(stage=stage, title=title, kind=kind, url=url)
    services.success_map_publish(version=draft, note="First version")
    return success_map


def _template(name: str, touch: str, tiers: list[str], items) -> ChecklistTemplate:
    template = ChecklistTemplate.objects.filter(name=name).first()
    if template is not None:
        return template
    template = services.checklist_template_create(
        name=name, touch_model=touch, tiers=tiers, value_event="report_created"
    )
    for title, owner, offset, event in items:
        services.checklist_template_item_create(
            template=template, title=title, owner=owner, due_offset_days=offset, completion_event=event
        )
    return template


def _at(day, rng) -> datetime:
    return datetime.combine(day, time(rng.randint(8, 17), rng.randint(0, 59)), tzinfo=UTC)


def onboarding_demo_step(ctx: DemoContext) -> None:
    rng = ctx.rng_for("onboarding")
    OnboardingSettings.objects.update_or_create(
        pk=1, defaults={"value_event": "report_created", "stalled_days": 14, "stuck_days": 30}
    )
    champion = Persona.objects.get_or_create(name="Champion")[0]
    sponsor = Persona.objects.get_or_create(name="Executive sponsor")[0]
    champion_map = _build_map(
        champion,
        "Champion: rollout to self-serve insight",
        "From the first data source to an advocate.",
        CHAMPION_MAP,
    )
    sponsor_map = _build_map(
        sponsor, "Executive sponsor: proving ROI", "Outcomes the sponsor reports upward.", SPONSOR_MAP
    )
    _template("Tech-touch onboarding", TouchModel.TECH_TOUCH, ["standard", "tech_touch"], TECH_TOUCH_ITEMS)
    _template("High-touch onboarding", TouchModel.HIGH_TOUCH, ["key", "strategic"], HIGH_TOUCH_ITEMS)

    account_ids = ctx.extra.get("account_ids") or list(Account.objects.values_list("pk", flat=True))
    churned = set(ctx.extra.get("churned_account_ids") or ())
    live_ids = [pk for pk in account_ids if pk not in churned]
    starts = services.contract_starts_for(live_ids)

    # Checklists for recent contract starts.
    recent = sorted(pk for pk, start in starts.items() if (ctx.today - start).days <= 120)[:MAX_CHECKLISTS]
    accounts = Account.objects.in_bulk(recent)
    had_one = set(AccountChecklist.objects.filter(account_id__in=recent).values_list("account_id", flat=True))
    checklists = services.checklists_start(accounts=[accounts[pk] for pk in recent if pk not in had_one])
    for checklist in checklists:  # in account order, as the draws always were
        checklist.started_at = _at(starts[checklist.account_id], rng)
    AccountChecklist.objects.bulk_update(checklists, ["started_at"], batch_size=500)
    started = [checklist.pk for checklist in checklists]
    # The accounts step leaves the freshly loaded events without statistics (nothing before
    # this reads them): without them the first-event lookups below pick a plan that takes
    # minutes at 10k accounts instead of seconds.
    events_analyze(UsageEvent)
    services.onboarding_events_apply(account_ids=recent)
    manual = []
    for item in AccountChecklistItem.objects.filter(
        checklist_id__in=started, completed_at__isnull=True, completion_event=""
    ).select_related("checklist"):
        if item.due_date <= ctx.today and rng.random() < 0.7:
            done_on = min(ctx.today, item.due_date + timedelta(days=rng.randint(-3, 4)))
            item.completed_at, item.completion_source = _at(done_on, rng), CompletionSource.MANUAL
            manual.append(item)
    AccountChecklistItem.objects.bulk_update(manual, ["completed_at", "completion_source"], batch_size=500)
    services.checklists_refresh(checklist_ids=started)  # those whose last open item was ticked by hand

    # Success plans for a sample of paying accounts; the map's second version arrives halfway.
    rng = ctx.rng_for("onboarding-plans")
    with_mrr = set(Account.objects.filter(mrr__gt=0).values_list("pk", flat=True))
    paying = sorted(pk for pk in starts if pk in with_mrr)  # starts holds live accounts only
    sample = sorted(rng.sample(paying, min(MAX_PLANS, len(paying) // 3))) if paying else []
    accounts = Account.objects.in_bulk(sample)
    contacts: dict[int, list[Contact]] = {}
    for contact in Contact.objects.filter(account_id__in=sample).order_by("account_id", "id"):
        contacts.setdefault(contact.account_id, []).append(contact)
    plans = []
    for index, pk in enumerate(sample):
        if index == len(sample) // 2 and champion_map.versions.count() == 1:
            draft = services.success_map_draft(success_map=champion_map)
            adopt = draft.stages.get(name="Adopt")
            services.milestone_create(
                stage=adopt, title="Automate a workflow", kind=MilestoneKind.EVENT, event_name="automation_run"
            )
            services.success_map_publish(version=draft, note="Automations are part of adoption now")
        account = accounts[pk]
        if SuccessPlan.objects.filter(account=account).exists():
            continue
        success_map = sponsor_map if account.tier in ("strategic", "key") else champion_map
        stages = list(success_map.versions.filter(status="published").get().stages.all())
        current = rng.choices(range(len(stages)), weights=[5, 4, 2, 1][: len(stages)])[0]
        target = rng.randint(current, len(stages) - 1)
        plan = services.success_plan_start(
            account=account, success_map=success_map, current_stage=stages[current], target_stage=stages[target]
        )
        people = contacts.get(pk, [])
        if people:
            due = ctx.today + timedelta(days=rng.randint(-10, 45))
            goal = services.plan_goal_create(
                plan=plan,
                title="Share the weekly report with the leadership team",
                due_date=due,
                owner_contact=people[0],
            )
            if rng.random() < 0.4:
                PlanGoal.objects.filter(pk=goal.pk).update(
                    completed_at=_at(ctx.today - timedelta(days=rng.randint(1, 20)), rng),
                    completion_source=CompletionSource.CUSTOMER,
                )
            if rng.random() < 0.3:
                services.share_link_create(plan=plan, contact=people[0], days=30)
        plans.append(plan.pk)
    services.onboarding_events_apply(account_ids=sample)
    services.onboarding_metrics_apply(as_of=ctx.today, account_ids=sample)
    # Plans have been in their current stage for a while; some are stuck.
    for pk in plans:
        days = rng.choice([rng.randint(1, 25), rng.randint(1, 25), rng.randint(31, 90)])
        SuccessPlan.objects.filter(pk=pk, stage_changed_at__gte=datetime.now(UTC) - timedelta(hours=1)).update(
            stage_changed_at=_at(ctx.today - timedelta(days=days), rng)
        )
    ctx.log(
        f"onboarding: {len(started)} checklists "
        f"({AccountChecklist.objects.filter(status=ChecklistStatus.COMPLETED).count()} completed), "
        f"{len(plans)} success plans, {PlanShareLink.objects.count()} share links"
    )
