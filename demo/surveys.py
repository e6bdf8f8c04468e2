"""Demo step "surveys": the demo widget workspace (allowed on the demo host page's origin), an
NPS survey in the widget, a CSAT survey by email, a CES survey by public link (after a support
case), and 12 months of deliveries and answers.
Accounts that churn (and those at risk) answer lower, so NPS predicts churn in the demo too.
Deterministic for a seed (DemoContext.rng_for)."""

from datetime import UTC, datetime, time, timedelta

from django.utils import timezone

from surveys.choices import Channel, DeliveryStatus, TouchKind, score_category
from surveys.models import FatigueTouch, Survey, SurveyDelivery, SurveyResponse, SurveyWorkspace

from .context import DemoContext
from .sql import bulk_load, ids_reserve, rows_insert
from .views import DEMO_WORKSPACE


def demo_origins() -> str:
    """The demo host page is opened as http://localhost:<port>/demo-host/ while the app is
    SITE_URL (http://127.0.0.1:<port>): allow that other origin."""
    from urllib.parse import urlsplit

    from django.conf import settings

    port = urlsplit(settings.SITE_URL).port or 8000
    return f"http://localhost:{port}"


COMMENTS = {
    "unhappy": [
        "Reports are far too slow to load, our team waits minutes every morning.",
        "Dashboards keep timing out when we filter by region.",
        "The price went up again and we do not see the value for our money.",
        "Too expensive for what we use; considering cheaper tools.",
        "Support took a week to answer a critical ticket.",
        "Our support tickets get bounced between agents without a fix.",
        "The Salesforce integration breaks every other week and data goes missing.",
        "Sync with our CRM is unreliable, records are duplicated.",
        "Onboarding was confusing and nobody showed us how to set up the workspace.",
        "Hard to find features, the navigation is a maze.",
    ],
    "neutral": [
        "Good product but reports could load faster.",
        "Works fine, although pricing is a bit high for a team our size.",
        "Support is friendly but slow at times.",
        "Missing a few export options we need for finance.",
        "The integration with our CRM works most of the time.",
        "Decent tool, onboarding could have been smoother.",
    ],
    "happy": [
        "Dashboards make our weekly review so much easier.",
        "Great support team, always quick and helpful.",
        "Our customer success manager is fantastic and proactive.",
        "Love the reports, they save us hours every week.",
        "The CRM integration just works, setup took minutes.",
        "Easy to use and the whole team adopted it quickly.",
        "Fair price for the value we get.",
    ],
}
# Comments in Arabic, Persian and Chinese on the same topics as the English ones (slow reports,
# price, support, CRM sync, onboarding, exports), so the report's themes group them across
# languages (issue 22). Picked in turn, not by the seeded generator: the demo's other numbers
# stay as they were for a seed.
COMMENTS_L10N = {
    "ar": {
        "unhappy": [
            "التقارير بطيئة جدًا، وننتظر دقائق كل صباح.",
            "ارتفع السعر مرة أخرى ولا نرى قيمة تستحق هذا المال.",
            "استغرق الدعم أسبوعًا للرد على طلب عاجل.",
            "التكامل مع Salesforce يتعطل وتضيع بعض السجلات.",
            "كان الإعداد الأولي مربكًا ولم يشرح لنا أحد كيفية التهيئة.",
        ],
        "neutral": [
            "منتج جيد لكن السعر مرتفع قليلًا.",
            "الدعم ودود لكنه بطيء أحيانًا.",
            "نحتاج إلى تصدير التقارير إلى Excel لفريق المالية.",
        ],
        "happy": [
            "فريق الدعم رائع وسريع.",
            "لوحات المعلومات تجعل مراجعتنا الأسبوعية أسهل بكثير.",
            "التكامل مع نظام إدارة علاقات العملاء يعمل دون مشاكل.",
        ],
    },
    "fa": {
        "unhappy": [
            "گزارش‌ها خیلی کند هستند و هر صبح چند دقیقه منتظر می‌مانیم.",
            "قیمت دوباره بالا رفت و ارزشش را نمی‌بینیم.",
            "پشتیبانی یک هفته طول کشید تا به درخواست فوری ما جواب دهد.",
            "همگام‌سازی با CRM قابل اعتماد نیست و رکوردها تکراری می‌شوند.",
            "راه‌اندازی اولیه گیج‌کننده بود و کسی به ما آموزش نداد.",
        ],
        "neutral": [
            "محصول خوبی است اما قیمت کمی بالاست.",
            "پشتیبانی مهربان است ولی گاهی کند جواب می‌دهد.",
            "به خروجی Excel از گزارش‌ها برای تیم مالی نیاز داریم.",
        ],
        "happy": [
            "تیم پشتیبانی عالی و سریع است.",
            "داشبوردها جلسه هفتگی ما را خیلی ساده‌تر کرده‌اند.",
            "اتصال به CRM بدون مشکل کار می‌کند.",
        ],
    },
    "zh": {
        "unhappy": [
            "报表加载太慢了，每天早上都要等好几分钟。",
            "价格又涨了，我们觉得不值这个钱。",
            "紧急工单客服一周后才回复。",
            "与 Salesforce 的集成经常出错，记录会丢失。",
            "入门过程很混乱，没有人教我们如何设置。",
        ],
        "neutral": [
            "产品不错，但价格有点高。",
            "客服很友好，但有时回复慢。",
            "我们需要把报表导出到 Excel 给财务团队。",
        ],
        "happy": [
            "支持团队很棒，回复很快。",
            "仪表板让我们的每周例会轻松多了。",
            "和 CRM 的集成很稳定，几分钟就设置好了。",
        ],
    },
}


def _score(rng, kind: str, mood: float) -> int:
    """mood in [-1, 1]: -1 unhappy, 1 delighted."""
    if kind == "nps":
        centre = 7.6 + 2.6 * mood
        return max(0, min(10, round(rng.gauss(centre, 1.6))))
    if kind == "ces":
        centre = 5.2 + 1.6 * mood
        return max(1, min(7, round(rng.gauss(centre, 1.0))))
    centre = 3.9 + 1.2 * mood
    return max(1, min(5, round(rng.gauss(centre, 0.8))))


def _workspace_and_surveys(ctx: DemoContext) -> tuple[Survey, Survey, Survey]:
    workspace, _ = SurveyWorkspace.objects.get_or_create(
        name=DEMO_WORKSPACE, defaults={"allowed_origins": demo_origins()}
    )
    start = datetime.combine(ctx.extra.get("start") or ctx.today - timedelta(days=365), time.min, tzinfo=UTC)
    nps, _ = Survey.objects.get_or_create(
        name="Product NPS",
        defaults={
            "kind": "nps",
            "status": "active",
            "workspace": workspace,
            "trigger": "page_view",
            "sample_percent": 100,
            "starts_at": start,
            "follow_ups": [
                {
                    "id": "q1",
                    "type": "single",
                    "label": "What do you use most?",
                    "options": ["Dashboards", "Reports", "Integrations", "API"],
                }
            ],
            "translations": {"en": {"thanks_happy": "Thank you! Would you leave us a review on G2?"}},
        },
    )
    csat, _ = Survey.objects.get_or_create(
        name="Quarterly CSAT (email)",
        defaults={"kind": "csat", "status": "active", "workspace": workspace, "starts_at": start, "drip_per_day": 200},
    )
    ces, _ = Survey.objects.get_or_create(
        name="Support effort (CES, link)",
        defaults={"kind": "ces", "status": "active", "workspace": workspace, "starts_at": start},
    )
    return nps, csat, ces


DELIVERY_FIELDS = ["survey_id", "contact_id", "account_id", "channel", "language", "sent_at", "status", "answered_at"]
RESPONSE_FIELDS = [
    "survey_id",
    "delivery_id",
    "kind",
    "account_id",
    "contact_id",
    "score",
    "comment",
    "language",
    "channel",
    "submitted_at",
    "dedupe_key",
    "followup_pending",
    "followup_count",
    "created_at",
    "updated_at",
    "answers",
]
TOUCH_FIELDS = ["contact_id", "account_id", "channel", "kind", "occurred_at"]


def surveys_demo_step(ctx: DemoContext) -> None:
    from accounts.models import Contact

    rng = ctx.rng_for("surveys")
    nps, csat, ces = _workspace_and_surveys(ctx)
    rotation = [(nps, Channel.WIDGET, 0.55), (csat, Channel.EMAIL, 0.3), (ces, Channel.LINK, 0.35)]
    account_ids = ctx.extra.get("account_ids") or []
    unhappy = set(ctx.extra.get("churned_account_ids") or set()) | set(ctx.extra.get("at_risk_account_ids") or [])
    contacts = list(
        Contact.objects.filter(account_id__in=account_ids)
        .order_by("id")
        .values_list("id", "account_id", "language", "created_at")
    )
    if not contacts:
        return
    # The demo host page signs in as the first contact: keep its account out of the recent
    # months, so its fatigue budget (and the account cap) lets the widget show.
    host_account = contacts[0][1]
    mood = {a: rng.uniform(-0.6, 1.0) - (0.9 if a in unhappy else 0.0) for a in account_ids}
    now = datetime.combine(ctx.today, time(12), tzinfo=UTC)
    history_start = now - timedelta(days=365)
    # Plain tuples (no model instances: millions of them at 100k accounts), written by
    # rows_insert: COPY on PostgreSQL, bulk_create elsewhere.
    # delivery: (survey_id, contact_id, account_id, channel, language, sent_at, status, answered_at)
    deliveries, answers = [], []
    # Loop-invariant values hoisted (the draws and their order are unchanged: same data).
    last_send, host_cutoff = now - timedelta(hours=1), now - timedelta(days=120)
    moods = {"detractor": "unhappy", "low": "unhappy", "passive": "neutral", "neutral": "neutral"}
    sent, answered_status, dismissed = DeliveryStatus.SENT, DeliveryStatus.ANSWERED, DeliveryStatus.DISMISSED
    random_, randint = rng.random, rng.randint
    for contact_id, account_id, language, created_at in contacts:
        # Each contact is asked about every 4-6 months (fatigue), in turn NPS in-app, CSAT by
        # email and CES by a link sent after a support case.
        at = max(history_start, created_at) + timedelta(days=randint(0, 120))
        turn = rng.randrange(len(rotation))
        lang = language if language in ("en", "ar", "fa", "zh") else "en"
        is_host, is_unhappy, account_mood = account_id == host_account, account_id in unhappy, mood[account_id]
        while at < last_send:
            if is_host and at > host_cutoff:
                break
            survey, channel, answer_rate = rotation[turn % len(rotation)]
            turn += 1
            status, answered_at = sent, None
            if random_() < answer_rate:
                # Mood sinks over the year for accounts that end up churning or at risk.
                drift = -0.5 * (at - history_start).days / 365 if is_unhappy else 0.0
                score = _score(rng, survey.kind, max(-1.0, min(1.0, account_mood + drift)))
                group = moods.get(score_category(survey.kind, score), "happy")
                comment = ""
                if random_() < 0.6:
                    if lang in COMMENTS_L10N and random_() < 0.7:
                        choices = COMMENTS_L10N[lang][group]
                        comment = choices[len(answers) % len(choices)]
                    else:
                        comment = rng.choice(COMMENTS[group])
                submitted = at + timedelta(minutes=randint(1, 60 * 24 if channel == Channel.EMAIL else 5))
                status, answered_at = answered_status, submitted
                answers.append((len(deliveries), survey, score, comment, lang, channel, submitted))
            elif channel == Channel.WIDGET and random_() < 0.5:
                status = dismissed
            deliveries.append((survey.id, contact_id, account_id, channel, lang, at, status, answered_at))
            at += timedelta(days=rng.randint(120, 190))
    # A fresh seed loads these tables without their foreign keys and plain indexes, put back
    # at the end (one checking join per key instead of ~3.4M deferred checks at the commit:
    # 62 s at 100,000 accounts); tables with rows keep them (demo.sql.bulk_load).
    with bulk_load(keys_of=[SurveyDelivery, SurveyResponse, FatigueTouch], indexes_of=[]):
        delivery_ids = ids_reserve(SurveyDelivery, len(deliveries))
        ids = rows_insert(SurveyDelivery, DELIVERY_FIELDS, deliveries, ids=delivery_ids)
        response_rows, stamp = [], timezone.now()
        for index, survey, score, comment, lang, channel, submitted in answers:
            d = deliveries[index]
            response_rows.append(
                (
                    survey.id,
                    ids[index],
                    survey.kind,
                    d[2],
                    d[1],
                    score,
                    comment,
                    lang,
                    channel,
                    submitted,
                    f"d:{ids[index]}",
                    False,
                    1,
                    submitted,
                    stamp,
                    {"q1": rng.choice(["Dashboards", "Reports", "Integrations", "API"])} if survey is nps else {},
                )
            )
        rows_insert(SurveyResponse, RESPONSE_FIELDS, response_rows)
        recent = now - timedelta(days=100)
        rows_insert(
            FatigueTouch,
            TOUCH_FIELDS,
            [
                (
                    d[1],
                    d[2],
                    d[3],
                    TouchKind.ANSWERED if d[6] == DeliveryStatus.ANSWERED else TouchKind.ASKED,
                    d[7] or d[5],
                )
                for d in deliveries
                if d[5] > recent
            ],
        )
    ctx.log(f"surveys: {len(deliveries):,} deliveries, {len(answers):,} answers")
    from surveys.rollups import survey_days_rebuild

    rows = survey_days_rebuild()
    ctx.log(f"surveys: report pre-aggregate, {rows:,} day rows")
