"""Open opportunities follow their account to its new owner in a bulk reassignment, and come
back on undo; someone else's and closed ones stay."""

import pytest

from renewals.choices import StageKind
from renewals.reassign import opportunities_follow_accounts, opportunities_give_back
from tests.factories import AccountFactory, UserFactory
from tests.factories.renewals import OpportunityFactory, stage_of

pytestmark = pytest.mark.django_db


def test_follow_and_give_back():
    old, new, ae = UserFactory(), UserFactory(), UserFactory()
    account = AccountFactory(owner=old)
    mine = OpportunityFactory(account=account, owner=old)
    nobody = OpportunityFactory(account=account, owner=None)
    theirs = OpportunityFactory(account=account, owner=ae)
    closed = OpportunityFactory(account=account, owner=old, stage=stage_of(StageKind.WON))
    other_account = OpportunityFactory(owner=old)

    record = opportunities_follow_accounts(previous_owners={account.pk: old.pk}, to_owner_id=new.pk)

    owners = {o.pk: o.owner_id for o in (mine, nobody, theirs, closed, other_account) if not o.refresh_from_db()}
    assert owners == {mine.pk: new.pk, nobody.pk: new.pk, theirs.pk: ae.pk, closed.pk: old.pk, other_account.pk: old.pk}
    assert record == {str(old.pk): [mine.pk], "none": [nobody.pk]}

    assert opportunities_give_back(record=record, to_owner_id=new.pk) == 2
    mine.refresh_from_db()
    nobody.refresh_from_db()
    assert (mine.owner_id, nobody.owner_id) == (old.pk, None)


def test_a_bulk_reassignment_moves_open_opportunities_and_its_undo_brings_them_back(manager_user):
    from accounts.reassign import reassignment_start, reassignment_undo
    from core.choices import Role

    leaving = UserFactory(role=Role.CSM, manager=manager_user)
    taking = UserFactory(role=Role.CSM, manager=manager_user)
    account = AccountFactory(owner=leaving)
    renewal = OpportunityFactory(account=account, owner=leaving)
    job = reassignment_start(user=manager_user, to_owner=taking, account_ids=[account.pk], steps=["opportunities"])
    renewal.refresh_from_db()
    assert renewal.owner == taking
    reassignment_undo(user=manager_user, job=job)
    renewal.refresh_from_db()
    assert renewal.owner == leaving
