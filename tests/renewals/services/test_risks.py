"""Risk lifecycle: opened by hand, worked, closed as saved or lost with the outcome on the
timeline; read-only users change nothing; bad input is a per-field error."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import Activity
from renewals.models import ReasonCode, Risk
from renewals.services import risk_close, risk_open, risk_task_link, risk_update
from tests.factories import AccountFactory, TaskFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def price():
    return ReasonCode.objects.get(code="price")  # from the default list (data migration)


def test_default_reason_list_has_translated_labels(price):
    assert ReasonCode.objects.filter(archived=False).count() >= 10
    assert price.label_for("ar") == "السعر / الميزانية" and price.label_for("zh-hans") == "价格 / 预算"
    assert price.label_for("en") == "Price / budget" and price.label_for("de") == "Price / budget"


def test_open_update_close_saved(csm_user, price):
    account = AccountFactory(mrr=Decimal("1500"), currency="EUR", owner=csm_user)
    due = timezone.now().date() + timedelta(days=10)
    risk = risk_open(user=csm_user, account=account, type="churn", reason_code=price, severity="high", due_date=due)
    # ARR at risk defaults to the account's ARR in its currency; the owner to the account's
    assert (risk.arr_at_risk, risk.currency, risk.owner, risk.status) == (Decimal("18000"), "EUR", csm_user, "open")
    opened = Activity.objects.get(account=account, metadata__event="opened")
    assert opened.subject == "Risk opened: Churn (Price / budget), High"

    risk = risk_update(user=csm_user, risk=risk, status="mitigating", mitigation_plan="  Exec sponsor call ")
    assert risk.status == "mitigating" and risk.mitigation_plan == "Exec sponsor call"

    risk = risk_close(user=csm_user, risk=risk, outcome="saved", note="Signed a 2-year renewal")
    risk.refresh_from_db()
    assert risk.status == "saved" and risk.closed_by == csm_user and risk.closed_at is not None
    entry = Activity.objects.get(account=account, metadata__event="saved")
    assert entry.subject == "Risk saved: Churn (Price / budget), EUR 18,000 ARR"
    assert entry.body == "Signed a 2-year renewal" and entry.author == csm_user
    # closing again with the same outcome is a no-op; another outcome is refused
    risk_close(user=csm_user, risk=risk, outcome="saved", note="again")
    assert Activity.objects.filter(account=account, metadata__event="saved").count() == 1
    with pytest.raises(ValidationError) as err:
        risk_close(user=csm_user, risk=risk, outcome="lost", note="x")
    assert "outcome" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        risk_update(user=csm_user, risk=risk, severity="low")
    assert "status" in err.value.message_dict


def test_close_lost_needs_a_note_and_a_closed_outcome(csm_user, price):
    risk = risk_open(user=csm_user, account=AccountFactory(), type="product", reason_code=price, arr_at_risk="500")
    with pytest.raises(ValidationError) as err:
        risk_close(user=csm_user, risk=risk, outcome="lost", note="  ")
    assert "note" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        risk_close(user=csm_user, risk=risk, outcome="mitigating", note="x")
    assert "outcome" in err.value.message_dict
    risk_close(user=csm_user, risk=risk, outcome="lost", note="Went to a competitor")
    assert Risk.objects.get().status == "lost"
    assert Activity.objects.get(metadata__event="lost").subject.startswith("Risk lost: Product (Price / budget)")


def test_bad_input_names_each_field(csm_user, price):
    price.archived = True
    price.save()
    yesterday = timezone.now().date() - timedelta(days=1)
    with pytest.raises(ValidationError) as err:
        risk_open(
            user=csm_user,
            account=AccountFactory(),
            type="meteor",
            reason_code=price,
            severity="apocalyptic",
            arr_at_risk="-5",
            due_date=yesterday,
            owner=UserFactory(role="readonly"),
        )
    assert set(err.value.message_dict) == {"type", "reason_code", "severity", "arr_at_risk", "due_date", "owner"}
    assert not Risk.objects.exists()


def test_read_only_users_change_nothing(readonly_user, csm_user, price):
    account = AccountFactory()
    with pytest.raises(PermissionDenied):
        risk_open(user=readonly_user, account=account, type="churn", reason_code=price)
    risk = risk_open(user=csm_user, account=account, type="churn", reason_code=price)
    for call in (
        lambda: risk_update(user=readonly_user, risk=risk, severity="low"),
        lambda: risk_close(user=readonly_user, risk=risk, outcome="lost", note="x"),
        lambda: risk_task_link(user=readonly_user, risk=risk, task=TaskFactory(account=account)),
    ):
        with pytest.raises(PermissionDenied):
            call()
    risk.refresh_from_db()
    assert risk.status == "open" and risk.severity == "medium" and not risk.tasks.exists()


def test_link_tasks_of_the_same_account_only(csm_user, price):
    account = AccountFactory()
    risk = risk_open(user=csm_user, account=account, type="relationship", reason_code=price)
    task = TaskFactory(account=account)
    risk_task_link(user=csm_user, risk=risk, task=task)
    assert list(risk.tasks.all()) == [task]
    with pytest.raises(ValidationError):
        risk_task_link(user=csm_user, risk=risk, task=TaskFactory())
