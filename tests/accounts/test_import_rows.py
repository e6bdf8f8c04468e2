"""CSV import as people write spreadsheets: labels for choices, owners by e-mail or name, errors
a person understands, and "import the valid rows, report the rest" (issue 15, item 14)."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.imports import import_job_create, import_job_queue, import_job_validate
from accounts.models import Account, ImportJob, Subscription
from core.choices import Role
from tests.factories import AccountFactory, UserFactory

pytestmark = pytest.mark.django_db


def _job(text: str, kind: str = "accounts", mode: str = ImportJob.Mode.ALL_OR_NOTHING) -> ImportJob:
    job = import_job_create(kind=kind, file_name="book.csv", content=text.encode(), mode=mode)
    return import_job_validate(job=job)


def _run(job, django_capture_on_commit_callbacks) -> ImportJob:
    with django_capture_on_commit_callbacks(execute=True):
        import_job_queue(job=job)
    job.refresh_from_db()
    return job


def test_choice_labels_in_any_case_are_accepted(django_capture_on_commit_callbacks):
    job = _job(
        "external_id,name,Tier,Stage\n"
        "a,Acme,Key,Onboarding\n"
        "b,Bolt,tech touch,At-risk\n"
        "c,Crane,STRATEGIC,at_risk\n"
        "d,Delta,tech_touch,mature\n"
    )
    job.mapping["lifecycle_stage"] = "Stage"
    job.save(update_fields=["mapping"])
    job = import_job_validate(job=job)
    assert job.status == ImportJob.Status.VALIDATED, job.errors
    _run(job, django_capture_on_commit_callbacks)
    assert dict(Account.objects.values_list("external_id", "tier")) == {
        "a": "key",
        "b": "tech_touch",
        "c": "strategic",
        "d": "tech_touch",
    }
    assert Account.objects.get(external_id="b").lifecycle_stage == "at_risk"


def test_an_unknown_choice_is_said_with_row_column_value_and_the_choices():
    job = _job("external_id,name,Tier\na,Acme,Key\nb,Bolt,Platinum\n")
    assert job.status == ImportJob.Status.INVALID
    assert job.errors == [
        {
            "row": 3,
            "field": "tier",
            "column": "Tier",
            "value": "Platinum",
            "reason": "'Platinum' is not one of Strategic, Key, Standard, Tech-touch.",
        }
    ]
    assert not Account.objects.exists()


def test_owner_by_username_email_or_full_name(django_capture_on_commit_callbacks):
    carl = UserFactory(username="carl", email="carl@cs.example", first_name="Carl", last_name="Success")
    UserFactory(username="sam1", email="sam.lee@cs.example", first_name="Sam", last_name="Lee")
    UserFactory(username="sam2", email="sam.lee2@cs.example", first_name="Sam", last_name="Lee")
    job = _job(
        "external_id,name,owner\n"
        "a,Acme,carl\n"
        "b,Bolt,CARL@cs.example\n"
        "c,Crane,carl success\n"
        "d,Delta,Sam Lee\n"
        "e,Echo,Nobody Here\n"
    )
    errors = {e["row"]: e for e in job.errors}
    assert set(errors) == {5, 6}
    assert errors[5]["reason"] == (
        "'Sam Lee' matches 2 team members: sam1 (sam.lee@cs.example), sam2 (sam.lee2@cs.example). "
        "Write the username or e-mail instead."
    )
    assert errors[6]["reason"] == "No active team member has the username, e-mail or name 'Nobody Here'."
    job.mode = ImportJob.Mode.VALID_ROWS
    job.save(update_fields=["mode"])
    job = _run(import_job_validate(job=job), django_capture_on_commit_callbacks)
    assert {a.external_id: a.owner for a in Account.objects.all()} == {"a": carl, "b": carl, "c": carl}


def test_plain_errors_for_numbers_dates_and_duplicates():
    AccountFactory(external_id="acme")
    job = _job(
        "account,plan,MRR,Start\nacme,Growth,$1200,2025-01-01\nacme,Pro,100,7/1/24\nnope,Pro,100,2025-01-01\n",
        kind="subscriptions",
    )
    reasons = {(e["row"], e["column"]): e["reason"] for e in job.errors}
    assert reasons == {
        (2, "MRR"): "'$1200' is not a number (write it like 1200.50, without currency signs).",
        (3, "Start"): "'7/1/24' is not a date; write it like 2024-07-01 (year-month-day).",
        (4, "account"): "No account has the id 'nope': import the accounts first, or check the id.",
    }
    dupes = _job("id,name\na,Acme\na,Acme again\n")
    assert dupes.errors[0]["row"] == 3
    assert dupes.errors[0]["reason"] == "Row 2 has the same id 'a'; each id may appear once in a file."


def test_valid_rows_mode_imports_the_rest_and_reports_the_skipped(django_capture_on_commit_callbacks):
    text = (
        "external_id,name,tier,parent\n"
        "a,Acme,Key,\n"
        "b,Bolt,Platinum,\n"  # bad tier
        "b-eu,Bolt Europe,Key,b\n"  # its parent is on a skipped row
        "c,Crane,Standard,\n"
    )
    # given: all or nothing (the default) refuses the whole file
    strict = _job(text)
    assert strict.status == ImportJob.Status.INVALID and not Account.objects.exists()
    # when: the valid rows are wanted
    job = _job(text, mode=ImportJob.Mode.VALID_ROWS)
    # then: the check counts both
    assert job.status == ImportJob.Status.VALIDATED
    assert (job.created_count, job.skipped_count) == (2, 2)
    assert [(e["row"], e["field"]) for e in job.errors] == [(3, "tier"), (4, "parent")]
    assert job.errors[1]["reason"] == "Its parent 'b' is on row 3, which is not imported."
    job = _run(job, django_capture_on_commit_callbacks)
    assert job.status == ImportJob.Status.DONE
    assert (job.created_count, job.skipped_count, job.processed_rows) == (2, 2, 4)
    assert sorted(Account.objects.values_list("external_id", flat=True)) == ["a", "c"]
    assert [e["row"] for e in job.errors] == [3, 4]


def test_valid_rows_mode_with_no_valid_row_is_refused():
    job = _job("account,plan,mrr,start_date\nnope,Pro,1,2025-01-01\n", kind="subscriptions", mode="valid_rows")
    assert job.status == ImportJob.Status.INVALID and not Subscription.objects.exists()


def test_rejected_rows_download(client, csm_user):
    job = _job("external_id,name,tier\na,Acme,Key\nb,=HYPERLINK(1),Platinum\n", mode=ImportJob.Mode.VALID_ROWS)
    client.force_login(csm_user)
    response = client.get(reverse("accounts:import_rejected", args=[job.pk]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert 'filename="book-rejected.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows == [
        ["external_id", "name", "tier", "error"],
        ["b", "'=HYPERLINK(1)", "Platinum", "tier: 'Platinum' is not one of Strategic, Key, Standard, Tech-touch."],
    ]


def test_pages_choose_the_mode_and_show_the_skipped_rows(client, user_for_role, django_capture_on_commit_callbacks):
    client.force_login(user_for_role(Role.CSM))
    client.get(reverse("accounts:import_list"))
    upload = SimpleUploadedFile("b.csv", b"external_id,name,tier\na,Acme,Key\nb,Bolt,Platinum\n")
    response = client.post(reverse("accounts:import_list"), {"kind": "accounts", "file": upload, "mode": "valid_rows"})
    job = ImportJob.objects.get()
    assert job.mode == ImportJob.Mode.VALID_ROWS
    page = client.get(response.url).content.decode()
    assert 'name="mode" value="valid_rows" checked' in page
    mapping = {f"map_{k}": v for k, v in job.mapping.items()}
    # switching back to all or nothing on the mapping form, the check refuses the file
    client.post(reverse("accounts:import_validate", args=[job.pk]), {**mapping, "mode": "all"})
    job.refresh_from_db()
    assert (job.mode, job.status) == ("all", ImportJob.Status.INVALID)
    page = client.get(response.url).content.decode()
    assert "Nothing was written" in page and "Platinum" in page
    client.post(reverse("accounts:import_validate", args=[job.pk]), {**mapping, "mode": "valid_rows"})
    page = client.get(response.url).content.decode()
    assert "Import the valid rows, skip 1" in page and reverse("accounts:import_rejected", args=[job.pk]) in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:import_run", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and list(Account.objects.values_list("external_id", flat=True)) == ["a"]
    progress = client.get(response.url).content.decode()
    assert "1 skipped" in progress and "Rows not imported" in progress
