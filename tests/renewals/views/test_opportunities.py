"""The opportunity pages: board (move by buttons / htmx), list with filters, forms,
permissions (read-only changes nothing, CSMs their own book), the pipeline page, flat queries."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from core.choices import Role
from renewals.choices import StageKind
from renewals.models import Opportunity, PipelineStage
from tests.factories.accounts import AccountFactory
from tests.factories.renewals import OpportunityFactory, stage_of

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


def _stages():
    return list(PipelineStage.objects.all())


def test_board_columns_cards_and_flat_queries(client, csm_user, django_assert_max_num_queries):
    account = AccountFactory(owner=csm_user, name="Acme", health_band="green", health_score=80)
    OpportunityFactory(account=account, amount=Decimal("12000"))
    client.force_login(csm_user)
    with django_assert_max_num_queries(20) as few:
        page = client.get(reverse("renewals:board"))
    for _ in range(30):
        OpportunityFactory()
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("renewals:board"))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-account="Acme"' in html and "$12k" in html
    assert all(f'data-stage="{s.pk}"' in html for s in _stages())


def test_move_with_the_buttons_and_by_htmx(client, csm_user):
    o = OpportunityFactory(account=AccountFactory(owner=csm_user))
    stages = _stages()
    client.force_login(csm_user)
    client.get(reverse("renewals:board"))
    response = client.post(reverse("renewals:move", args=[o.pk]), {"stage": stages[1].pk})
    assert response.status_code == 302
    o.refresh_from_db()
    assert o.stage == stages[1]
    won = stage_of(StageKind.WON)
    response = client.post(reverse("renewals:move", args=[o.pk]), {"stage": won.pk}, **HX)
    assert response.status_code == 200 and 'data-testid="opp-board"' in response.content.decode()
    o.refresh_from_db()
    assert (o.status, o.closed_at is not None, o.outcome) == (StageKind.WON, True, "manual")
    bad = client.post(reverse("renewals:move", args=[o.pk]), {"stage": "nope"}, **HX)
    assert bad.status_code == 400


def test_readonly_changes_nothing_and_a_csm_only_their_book(client, user_for_role):
    readonly, csm = user_for_role(Role.READONLY), user_for_role(Role.CSM)
    theirs = OpportunityFactory()
    target = _stages()[1].pk
    client.force_login(readonly)
    assert client.get(reverse("renewals:board")).status_code == 200
    assert client.post(reverse("renewals:move", args=[theirs.pk]), {"stage": target}).status_code == 403
    assert client.get(reverse("renewals:create")).status_code == 200
    assert client.post(reverse("renewals:create"), {"account": theirs.account.external_id}).status_code == 403
    client.force_login(csm)
    client.get(reverse("renewals:board"))
    assert client.post(reverse("renewals:move", args=[theirs.pk]), {"stage": target}, **HX).status_code == 400
    client.get(reverse("renewals:edit", args=[theirs.pk]))
    assert client.post(reverse("renewals:edit", args=[theirs.pk]), {"amount": "1"}).status_code == 403
    theirs.refresh_from_db()
    assert theirs.stage == _stages()[0]


def test_create_form_then_edit(client, csm_user):
    account = AccountFactory(owner=csm_user, external_id="acme", currency="EUR")
    client.force_login(csm_user)
    page = client.get(reverse("renewals:create") + "?account=acme")
    assert 'value="acme"' in page.content.decode()
    data = {
        "account": "acme",
        "kind": "expansion",
        "amount": "5000",
        "currency": "",
        "close_date": (date.today() + timedelta(days=30)).isoformat(),
        "stage": _stages()[0].pk,
        "category": "best_case",
        "owner": csm_user.pk,
        "call_amount": "4000",
        "next_step": "Demo the add-on",
        "external_id": "",
    }
    response = client.post(reverse("renewals:create"), data)
    assert response.status_code == 302, response.content.decode()
    o = Opportunity.objects.get(account=account)
    assert (o.kind, o.amount, o.currency, o.call_amount, o.external_id) == (
        "expansion",
        Decimal("5000.00"),
        "EUR",
        Decimal("4000.00"),
        None,
    )
    client.get(reverse("renewals:edit", args=[o.pk]))
    response = client.post(reverse("renewals:edit", args=[o.pk]), {**data, "amount": "-1"})
    assert response.status_code == 400 and "errorlist" in response.content.decode()
    response = client.post(reverse("renewals:edit", args=[o.pk]), {**data, "amount": "6000", "account": "other"})
    assert response.status_code == 302
    o.refresh_from_db()
    assert (o.amount, o.account_id) == (Decimal("6000.00"), account.pk)


def test_create_form_errors_on_the_field(client, csm_user):
    client.force_login(csm_user)
    client.get(reverse("renewals:create"))
    response = client.post(reverse("renewals:create"), {"account": "nobody", "amount": "1", "close_date": "2026-01-01"})
    assert response.status_code == 400
    assert "No account has this external id or name." in response.content.decode()


def test_list_filters(client, csm_user):
    mine = OpportunityFactory(account=AccountFactory(owner=csm_user, name="Mine Co"), category="commit")
    OpportunityFactory(account=AccountFactory(name="Other Co"), kind="expansion")
    OpportunityFactory(account=AccountFactory(name="Late Co"), close_date=date.today() + timedelta(days=300))
    client.force_login(csm_user)
    names = lambda **q: [o.account.name for o in client.get(reverse("renewals:list"), q).context["object_list"]]  # noqa: E731
    assert names(owner="me") == ["Mine Co"]
    assert names(category="commit") == ["Mine Co"]
    assert names(kind="expansion") == ["Other Co"]
    assert sorted(names(window="120")) == ["Mine Co", "Other Co"]
    assert names(stage=mine.stage_id, q="late") == ["Late Co"]
    partial = client.get(reverse("renewals:list"), {"owner": "me"}, **HX).content.decode()
    assert "<html" not in partial and "Mine Co" in partial


def test_account_page_panel(client, csm_user, django_assert_max_num_queries):
    account = AccountFactory(owner=csm_user)
    OpportunityFactory(account=account, next_step="Call the CFO")
    client.force_login(csm_user)
    html = client.get(reverse("accounts:detail", args=[account.pk])).content.decode()
    assert 'id="account-opportunities"' in html and "Call the CFO" in html


def test_pipeline_page_for_admins(client, admin_user, csm_user):
    client.force_login(csm_user)
    assert client.get(reverse("renewals:pipeline")).status_code == 403
    client.force_login(admin_user)
    assert client.get(reverse("renewals:pipeline")).status_code == 200
    client.get(reverse("renewals:stage_create"))
    response = client.post(
        reverse("renewals:stage_create"), {"name": "Legal review", "order": 35, "probability": 80, "kind": "open"}
    )
    assert response.status_code == 302
    stage = PipelineStage.objects.get(name="Legal review")
    response = client.post(
        reverse("renewals:stage_edit", args=[stage.pk]),
        {"name": "Legal", "order": 35, "probability": 101, "kind": "open"},
    )
    assert response.status_code == 400
    from core.audit.models import AuditEvent

    assert AuditEvent.objects.filter(object_id=str(stage.pk), object_repr="Legal review", actor=admin_user).exists()
    OpportunityFactory(stage=stage)
    client.get(reverse("renewals:pipeline"))
    assert client.post(reverse("renewals:stage_delete", args=[stage.pk]), **HX).status_code == 400
    assert PipelineStage.objects.filter(pk=stage.pk).exists()
