"""accounts.editing: one field at a time, validated, one "change" entry per save with who,
before and after; the API and the CSV import write the same log (accounts.changelog)."""

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from accounts.choices import ActivityKind, LifecycleStage, Tier
from accounts.editing import account_update, contact_update
from accounts.imports import import_job_create, import_job_queue, import_job_validate
from accounts.models import Account, Activity
from core.choices import Role
from tests.factories import AccountFactory, ContactFactory, UserFactory

pytestmark = pytest.mark.django_db


def _changes(account) -> list[Activity]:
    return list(Activity.objects.filter(account=account, kind=ActivityKind.CHANGE).order_by("id"))


def test_one_entry_per_save_with_before_and_after(csm_user):
    # given
    account = AccountFactory(tier=Tier.STANDARD, segment="SMB", owner=csm_user)
    new_owner = UserFactory(role=Role.CSM, first_name="Nia", last_name="New")
    # when
    changed = account_update(
        account=account, values={"tier": Tier.KEY, "segment": "Mid-market", "owner": new_owner}, author=csm_user
    )
    # then
    assert set(changed) == {"tier", "segment", "owner"}
    account.refresh_from_db()
    assert (account.tier, account.segment, account.owner) == (Tier.KEY, "Mid-market", new_owner)
    [entry] = _changes(account)
    assert entry.author == csm_user and entry.metadata["source"] == "page"
    by_field = {c["field"]: (c["before"], c["after"]) for c in entry.metadata["changes"]}
    assert by_field == {
        "owner": ("Carl Success", "Nia New"),
        "tier": ("Standard", "Key"),
        "segment": ("SMB", "Mid-market"),
    }


def test_saving_the_same_values_logs_nothing(csm_user):
    account = AccountFactory(name="Acme", owner=csm_user)
    assert account_update(account=account, values={"name": "Acme"}, author=csm_user) == {}
    assert _changes(account) == []


@pytest.mark.parametrize(
    "field, value, reason",
    [
        ("name", "  ", "cannot be empty"),
        ("domain", "not a domain", "domain such as"),
        ("tier", "platinum", "listed values"),
        ("lifecycle_stage", "asleep", "listed values"),
        ("segment", "x" * 65, "At most 64"),
        ("currency", "EUR", "cannot be edited here"),
    ],
)
def test_a_bad_value_names_its_field_and_writes_nothing(csm_user, field, value, reason):
    account = AccountFactory(owner=csm_user)
    with pytest.raises(ValidationError) as exc:
        account_update(account=account, values={field: value}, author=csm_user)
    assert reason in " ".join(exc.value.message_dict[field])
    assert _changes(account) == []


def test_readonly_users_cannot_own_accounts(csm_user, readonly_user):
    account = AccountFactory(owner=csm_user)
    with pytest.raises(ValidationError) as exc:
        account_update(account=account, values={"owner": readonly_user})
    assert "owner" in exc.value.message_dict


def test_parent_cannot_make_a_cycle():
    top = AccountFactory()
    middle = AccountFactory(parent=top)
    bottom = AccountFactory(parent=middle)
    with pytest.raises(ValidationError) as exc:
        account_update(account=top, values={"parent": bottom})
    assert "cycle" in exc.value.message_dict["parent"][0]
    with pytest.raises(ValidationError):
        account_update(account=top, values={"parent": top})
    account_update(account=bottom, values={"parent": top})  # moving up the tree is fine
    bottom.refresh_from_db()
    assert bottom.parent == top


def test_stage_change_is_logged_with_labels():
    account = AccountFactory(lifecycle_stage=LifecycleStage.ONBOARDING)
    account_update(account=account, values={"lifecycle_stage": LifecycleStage.ADOPTION})
    [entry] = _changes(account)
    assert entry.metadata["changes"][0]["before"] == "Onboarding"
    assert entry.metadata["changes"][0]["after"] == "Adoption"


def test_contact_changes_go_on_the_account_timeline(csm_user):
    contact = ContactFactory(email="old@example.com", language="en")
    contact_update(contact=contact, values={"email": "new@example.com", "language": "ar"}, author=csm_user)
    [entry] = _changes(contact.account)
    assert entry.contact == contact
    assert {c["field"] for c in entry.metadata["changes"]} == {"email", "language"}
    with pytest.raises(ValidationError) as exc:
        contact_update(contact=contact, values={"email": "nope"})
    assert "email" in exc.value.message_dict


def test_api_patch_and_upsert_write_the_same_log(admin_user):
    account = AccountFactory(external_id="acme", tier=Tier.STANDARD)
    api = APIClient()
    api.force_login(admin_user)
    assert api.patch("/api/v1/accounts/acme/", {"tier": "key"}, format="json").status_code == 200
    response = api.post(
        "/api/v1/accounts/", [{"external_id": "acme", "name": account.name, "segment": "Ent"}], format="json"
    )
    assert response.status_code == 200
    first, second = _changes(account)
    assert first.author == admin_user and first.metadata["source"] == "api"
    assert first.metadata["changes"] == [{"field": "tier", "label": "Tier", "before": "Standard", "after": "Key"}]
    assert second.metadata["changes"][0]["field"] == "segment"


def test_csv_import_logs_its_changes(django_capture_on_commit_callbacks, admin_user):
    account = AccountFactory(external_id="acme", name="Acme", tier=Tier.STANDARD)
    job = import_job_create(
        kind="accounts", file_name="a.csv", content=b"external_id,name,tier\nacme,Acme,key\n", created_by=admin_user
    )
    import_job_validate(job=job)
    with django_capture_on_commit_callbacks(execute=True):
        import_job_queue(job=job)
    [entry] = _changes(account)
    assert entry.metadata["source"] == "import" and entry.author == admin_user
    assert Account.objects.get(pk=account.pk).tier == Tier.KEY


def test_a_csm_import_cannot_change_accounts_outside_the_book(csm_user):
    mine = AccountFactory(external_id="mine", owner=csm_user, tier=Tier.STANDARD)
    AccountFactory(external_id="theirs", name="Theirs", tier=Tier.STANDARD)
    csv_text = b"external_id,name,tier\nmine,Mine,key\ntheirs,Theirs,key\nnew-one,New,key\n"
    job = import_job_create(kind="accounts", file_name="a.csv", content=csv_text, created_by=csm_user)
    import_job_validate(job=job)
    assert [(e["row"], e["field"], e["reason"]) for e in job.errors] == [
        (3, "external_id", "Theirs is not in your book.")
    ]
    assert Account.objects.get(pk=mine.pk).tier == Tier.STANDARD  # validation writes nothing
