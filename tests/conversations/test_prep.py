"""The prep card (health and what pulls it down, open tasks and risks, last answers, renewal),
the account page's "Upcoming meetings" panel and the CSM home's card."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from conversations.prep import meeting_prep
from tests.factories import AccountFactory, ContactFactory, HealthScoreFactory, SurveyResponseFactory, UserFactory
from tests.factories.playbooks import TaskFactory
from tests.factories.renewals import RiskFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def account(csm_user):
    today = timezone.now().date()
    account = AccountFactory(
        name="Acme",
        owner=csm_user,
        mrr=Decimal("1000"),
        health_score=38,
        health_band="red",
        renewal_date=today + timedelta(days=45),
    )
    HealthScoreFactory(
        account=account,
        score=38,
        band="red",
        measures={
            "usage_frequency": {"value": 2, "score": 10, "weight": 40, "contribution": 4.0},
            "nps": {"value": 9, "score": 100, "weight": 20, "contribution": 20.0},
        },
    )
    TaskFactory(account=account, title="Call the sponsor")
    TaskFactory(account=account, title="Done already", status="done")
    RiskFactory(account=account, reason_code__label="Budget cut", arr_at_risk=Decimal("12000"))
    SurveyResponseFactory(account=account, score=3, comment="Too slow lately", contact=ContactFactory(account=account))
    return account


def test_prep_content(account, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        prep = meeting_prep(account=account)
    assert prep["health"]["score"] == 38 and prep["health"]["band"] == "red"
    assert [r["key"] for r in prep["health"]["reasons"]] == ["usage_frequency"]  # nps costs nothing
    assert [t.title for t in prep["tasks"]] == ["Call the sponsor"] and prep["task_count"] == 1
    assert [r.reason_code.label for r in prep["risks"]] == ["Budget cut"]
    assert [a.comment for a in prep["answers"]] == ["Too slow lately"]
    assert prep["renewal"]["days"] == 45 and prep["renewal"]["arr"] == Decimal("12000")


def test_account_page_shows_upcoming_meetings_with_the_prep_card(account, make_meeting, csm_client):
    make_meeting(account, title="Renewal kick-off")
    make_meeting(account, starts_in=-timedelta(days=2), title="Old one")  # past: not upcoming
    page = csm_client.get(reverse("accounts:detail", args=[account.pk])).content.decode()
    assert "Renewal kick-off" in page and "Old one" not in page
    assert 'data-testid="prep-card"' in page and "Call the sponsor" in page and "Budget cut" in page
    assert "Too slow lately" in page


def test_account_page_without_meetings_has_no_panel(account, csm_client):
    page = csm_client.get(reverse("accounts:detail", args=[account.pk])).content.decode()
    assert 'id="panel-meetings"' not in page


def test_home_lists_my_meetings_and_loads_a_prep_card(account, make_meeting, csm_client, csm_user, connect):
    mine = make_meeting(account, title="Mine", connection=connect(user=csm_user))
    make_meeting(account, title="A colleague's", connection=connect(user=UserFactory(), email="other@team.example"))
    home = csm_client.get(reverse("reports:home")).content.decode()
    assert 'id="home-meetings"' in home and "Mine" in home and "A colleague&#x27;s" not in home
    card = csm_client.get(reverse("conversations:meeting_prep", args=[mine.pk]), headers={"HX-Request": "true"})
    assert card.status_code == 200 and "Call the sponsor" in card.content.decode()


def test_prep_card_of_an_account_outside_the_book_is_404(account, make_meeting, client, settings):
    settings.CSM_READ_SCOPE = "team"
    meeting = make_meeting(account)
    stranger = UserFactory(role="csm")
    client.force_login(stranger)
    assert client.get(reverse("conversations:meeting_prep", args=[meeting.pk])).status_code == 404


def test_home_without_meetings_has_no_card(csm_client):
    assert 'id="home-meetings"' not in csm_client.get(reverse("reports:home")).content.decode()


def test_empty_meetings_panel_is_one_exists_query(account, make_meeting, django_assert_num_queries):
    from conversations.panels_meetings import meetings_panel_context

    with django_assert_num_queries(1) as captured:
        assert meetings_panel_context(None, account) is None
    assert "EXISTS" in captured.captured_queries[0]["sql"].upper() or "LIMIT 1" in captured.captured_queries[0]["sql"]
    make_meeting(account, title="Quarterly review")
    context = meetings_panel_context(None, account)
    assert [m.title for m in context["meetings"]] == ["Quarterly review"]
