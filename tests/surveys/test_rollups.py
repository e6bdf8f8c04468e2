"""The survey report reads the pre-aggregate (surveys.rollups, SurveyDay): its figures are exactly
those of the live services in surveys.metrics, whatever part of the period is stored, and the
answers table is read only for the days not stored yet and the page of verbatims."""

import random
from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Account
from surveys.metrics import (
    response_rate,
    score_aggregates,
    score_distribution,
    scores_from_row,
    survey_scores_grouped,
)
from surveys.models import SurveyDay, SurveyDayState, SurveyDelivery, SurveyResponse
from surveys.rollups import survey_days_build, survey_days_rebuild
from tests.factories import AccountFactory, UserFactory
from tests.factories.surveys import SurveyFactory, SurveyResponseFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.now().date()
SCALE = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7)}


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def _book(n_answers: int, seed: int = 1) -> dict:
    """Accounts in three segments and two tiers, owned by two CSMs or nobody; answers of every
    kind over 14 months up to today (some without an account, some with comments), and
    deliveries, some answered."""
    rng = random.Random(seed)
    owners = [UserFactory(username=f"csm-{seed}-{i}", role="csm") for i in range(2)]
    accounts = [
        AccountFactory(
            segment=["SMB", "Enterprise", ""][i % 3],
            tier=["key", "standard"][i % 2],
            owner=owners[i % 3] if i % 3 < 2 else None,
        )
        for i in range(12)
    ]
    survey = SurveyFactory(kind="csat")
    for i in range(n_answers):
        kind = ["nps", "csat", "ces"][i % 3]
        low, high = SCALE[kind]
        day = TODAY - timedelta(days=rng.randint(0, 420))
        account = None if i % 17 == 0 else rng.choice(accounts)
        delivery = None
        if kind == "csat" and account is not None and i % 2:
            delivery = SurveyDelivery.objects.create(
                survey=survey, account=account, channel="email", sent_at=_at(day, 8) - timedelta(days=rng.randint(0, 3))
            )
        SurveyResponseFactory(
            kind=kind,
            account=account,
            delivery=delivery,
            score=rng.randint(low, high),
            comment=rng.choice(["", "", "Reports are slow", "Great support"]),
            submitted_at=_at(day, rng.randint(0, 23)),
        )
    for _ in range(n_answers // 3):  # asked, never answered
        SurveyDelivery.objects.create(
            survey=survey,
            account=rng.choice([*accounts, None]),
            channel="widget",
            sent_at=_at(TODAY - timedelta(days=rng.randint(0, 420)), rng.randint(0, 23)),
        )
    return {"owners": owners, "accounts": accounts}


def _live(start: date, end: date, segment: str = "", tier: str = "", owner=None) -> dict:
    """What the report showed before the pre-aggregate: the live services over the raw tables."""
    accounts = Account.objects.all()
    if segment:
        accounts = accounts.filter(segment=segment)
    if tier:
        accounts = accounts.filter(tier=tier)
    if owner:
        accounts = accounts.filter(owner=owner)
    narrowed = accounts if (segment or tier or owner) else None

    def grouped(by):
        return {r["key"]: r for r in survey_scores_grouped(start=start, end=end, by=by, accounts=narrowed)}

    comments = SurveyResponse.objects.submitted_between(_at(start, 0), _at(end, 0)).exclude(comment="")
    if narrowed is not None:
        comments = comments.filter(account__in=narrowed)
    months = grouped("month")
    answers = SurveyResponse.objects.submitted_between(_at(start, 0), _at(end, 0))
    if narrowed is not None:
        answers = answers.filter(account__in=narrowed)
    return {
        "rate": response_rate(start=start, end=end, accounts=narrowed),
        "segment": grouped("segment"),
        "tier": grouped("tier"),
        "owner": grouped("owner"),
        "months": {k.strftime("%Y-%m"): v for k, v in months.items()},
        "distribution": {
            kind: score_distribution(start=start, end=end, kind=kind, accounts=narrowed) for kind in SCALE
        },
        "comments": comments.count(),
        "scores": scores_from_row(answers.aggregate(**score_aggregates())),
    }


def _report(client, **params) -> dict:
    response = client.get(reverse("surveys:report"), {k: v for k, v in params.items() if v})
    assert response.status_code == 200
    return response.context


def _assert_same(context, live: dict) -> None:
    strip = lambda r: {k: v for k, v in r.items() if k != "label"}  # noqa: E731
    assert {r["key"]: strip(r) for r in context["by_segment"]} == live["segment"]
    assert {r["key"]: strip(r) for r in context["by_tier"]} == live["tier"]
    assert {r["key"]: strip(r) for r in context["by_owner"]} == live["owner"]
    chart = context["chart_json"]
    assert chart["months"] == sorted(live["months"])
    assert chart["nps"] == [live["months"][m]["nps"] for m in chart["months"]]
    assert chart["ces"] == [live["months"][m]["ces"] for m in chart["months"]]
    assert chart["csat"] == [
        None if live["months"][m]["csat"] is None else round(100 * live["months"][m]["csat"], 1)
        for m in chart["months"]
    ]
    for kind, dist in live["distribution"].items():
        assert chart["distribution"][kind]["counts"] == list(dist.values())
        assert chart["distribution"][kind]["labels"] == list(dist.keys())
    assert context["rate"] == live["rate"]
    assert context["verbatims"].paginator.count == live["comments"]
    assert context["scores"] == live["scores"]


PERIODS = [
    {},  # the default: 12 whole months and this month up to today
    {"start": TODAY - timedelta(days=200), "end": TODAY - timedelta(days=20)},  # both ends mid-month
    {"start": TODAY - timedelta(days=45), "end": TODAY + timedelta(days=1)},
    {"start": date(TODAY.year - 1, 1, 1), "end": date(TODAY.year, 1, 1)},  # whole months only
]


@pytest.mark.parametrize("stored_until", [None, 90, 0], ids=["nothing-stored", "stored-to-90-days-ago", "stored"])
def test_report_figures_equal_the_live_services(client, admin_user, stored_until):
    # given
    book = _book(420)
    if stored_until is not None:
        survey_days_rebuild(today=TODAY - timedelta(days=stored_until))
    client.force_login(admin_user)
    slices = [
        {},
        {"segment": "SMB"},
        {"tier": "key"},
        {"owner": book["owners"][0]},
        {"segment": "", "tier": "standard"},
    ]

    for period in PERIODS:
        start = period.get("start") or (TODAY + timedelta(days=1) - timedelta(days=365)).replace(day=1)
        end = period.get("end") or TODAY + timedelta(days=1)
        for narrow in slices:
            # when
            context = _report(
                client,
                start=period.get("start"),
                end=period.get("end"),
                segment=narrow.get("segment"),
                tier=narrow.get("tier"),
                owner=narrow["owner"].pk if narrow.get("owner") else None,
            )
            # then
            _assert_same(context, _live(start, end, **narrow))


def test_the_report_reads_answers_only_for_days_not_stored_and_the_verbatims_page(client, admin_user):
    """Pinned: the answers and deliveries are not scanned for stored days; the number of queries
    does not grow with the number of answers."""
    _book(150, seed=1)
    survey_days_rebuild(today=TODAY)
    client.force_login(admin_user)

    def read() -> list[str]:
        with CaptureQueriesContext(connection) as ctx:
            _report(client)
        return [q["sql"] for q in ctx.captured_queries]

    small = read()
    _book(450, seed=2)
    survey_days_rebuild(today=TODAY)
    large = read()

    assert len(large) == len(small) <= 16
    on_deliveries = [sql for sql in large if "surveys_surveydelivery" in sql]
    on_answers = [sql for sql in large if "surveys_surveyresponse" in sql and sql not in on_deliveries]
    assert len(on_answers) == 2, on_answers  # today's answers (not stored yet), the page of verbatims
    assert len(on_deliveries) == 1, on_deliveries  # today's deliveries (and whether they were answered)
    assert all(f"'{TODAY - timedelta(days=1)}" not in sql for sql in on_answers + on_deliveries)


def test_a_late_answer_and_a_new_day_reach_the_stored_days(client, admin_user, django_capture_on_commit_callbacks):
    from surveys.services import email_answer, responses_followup
    from surveys.tokens import make_token

    # given: stored up to three days ago; an email sent ten days ago, unanswered
    account = AccountFactory(segment="SMB")
    survey = SurveyFactory(kind="csat")
    delivery = SurveyDelivery.objects.create(
        survey=survey, account=account, channel="email", sent_at=_at(TODAY - timedelta(days=10))
    )
    SurveyResponseFactory(account=account, kind="nps", score=3, submitted_at=_at(TODAY - timedelta(days=2)))
    survey_days_rebuild(today=TODAY - timedelta(days=3))
    stored = SurveyDay.objects.get(grain="d", day=TODAY - timedelta(days=10))
    assert (stored.sent, stored.answered) == (1, 0)

    # when: the customer clicks the email today, and the sweep follows the answer up
    with django_capture_on_commit_callbacks(execute=True):
        email_answer(token=make_token("email", {"d": delivery.id}), score=5)
    responses_followup()

    # then: the stored day of the delivery counts the answer, and the days up to yesterday are stored
    assert SurveyDay.objects.get(grain="d", day=TODAY - timedelta(days=10)).answered == 1
    assert SurveyDayState.objects.get().complete_until == TODAY
    assert SurveyDay.objects.get(grain="d", day=TODAY - timedelta(days=2)).nps_3 == 1
    client.force_login(admin_user)
    start = TODAY - timedelta(days=30)
    _assert_same(_report(client, start=start), _live(start, TODAY + timedelta(days=1)))


def test_an_import_of_past_answers_refreshes_the_stored_days(
    api_write, client, admin_user, django_capture_on_commit_callbacks
):
    AccountFactory(external_id="acme", segment="SMB")
    survey_days_build_start = TODAY - timedelta(days=400)
    SurveyDayState.objects.create(pk=1, complete_until=survey_days_build_start)
    survey_days_build(start=survey_days_build_start, end=TODAY)
    items = [
        {"kind": "nps", "account": "acme", "score": s, "submitted_at": f"{TODAY - timedelta(days=d)}T09:00:00Z"}
        for s, d in ((0, 40), (10, 40), (7, 100))
    ]

    with django_capture_on_commit_callbacks(execute=True):
        assert api_write.post("/api/v1/survey-responses/", items, format="json").status_code == 201

    day = SurveyDay.objects.get(grain="d", day=TODAY - timedelta(days=40))
    assert (day.nps_0, day.nps_10, day.segment) == (1, 1, "SMB")
    client.force_login(admin_user)
    _assert_same(
        _report(client),
        _live((TODAY + timedelta(days=1) - timedelta(days=365)).replace(day=1), TODAY + timedelta(days=1)),
    )
