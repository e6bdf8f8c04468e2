"""CSV import: mapping guess, validation report (nothing written), Celery import with progress,
re-import changes nothing."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.imports import ImportFileError, import_job_create, import_job_queue, import_job_validate
from accounts.models import Account, Contact, ImportJob, Subscription
from core.choices import Role
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db

ACCOUNTS_CSV = (
    "Account ID,Company,Website,Tier,Segment,Parent\n"
    "acme,Acme Corp,acme.test,key,Enterprise,\n"
    "acme-eu,Acme Europe,acme.eu,standard,Enterprise,acme\n"
    "globex,Globex,globex.test,strategic,Mid-market,\n"
)


def test_mapping_is_guessed_from_the_header():
    job = import_job_create(kind="accounts", file_name="a.csv", content=ACCOUNTS_CSV.encode())
    assert job.mapping == {
        "external_id": "Account ID",
        "name": "Company",
        "domain": "Website",
        "tier": "Tier",
        "segment": "Segment",
        "parent": "Parent",
    }
    assert job.total_rows == 3


def test_validation_reports_bad_rows_and_writes_nothing():
    csv_text = ACCOUNTS_CSV + "bad,Bad tier,bad.test,platinum,SMB,\n,No id,x.test,key,SMB,\n"
    job = import_job_create(kind="accounts", file_name="a.csv", content=csv_text.encode())
    import_job_validate(job=job)
    assert job.status == ImportJob.Status.INVALID
    assert [(e["row"], e["field"]) for e in job.errors] == [(5, "tier"), (6, "external_id")]
    assert not Account.objects.exists()


def test_import_then_reimport_changes_nothing(django_capture_on_commit_callbacks):
    # given
    job = import_job_create(kind="accounts", file_name="a.csv", content=ACCOUNTS_CSV.encode())
    import_job_validate(job=job)
    assert (job.status, job.created_count) == (ImportJob.Status.VALIDATED, 3)
    assert not Account.objects.exists()  # validation's dry run left nothing behind
    # when
    with django_capture_on_commit_callbacks(execute=True):
        import_job_queue(job=job)
    # then
    job.refresh_from_db()
    assert (job.status, job.processed_rows, job.created_count) == (ImportJob.Status.DONE, 3, 3)
    assert Account.objects.get(external_id="acme-eu").parent.external_id == "acme"
    before = {a.external_id: a.updated_at for a in Account.objects.all()}
    again = import_job_create(kind="accounts", file_name="a.csv", content=ACCOUNTS_CSV.encode())
    import_job_validate(job=again)
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 3)
    with django_capture_on_commit_callbacks(execute=True):
        import_job_queue(job=again)
    assert {a.external_id: a.updated_at for a in Account.objects.all()} == before


def test_subscriptions_and_contacts_import(django_capture_on_commit_callbacks):
    AccountFactory(external_id="acme")
    subs = (
        "account,plan,mrr,start_date,end_date,is_trial\n"
        "acme,Growth,1000.00,2025-01-01,,false\n"
        "acme,Trial,0,2024-12-01,2025-01-01,true\n"
    )
    job = import_job_create(kind="subscriptions", file_name="s.csv", content=subs.encode())
    import_job_validate(job=job)
    with django_capture_on_commit_callbacks(execute=True):
        import_job_queue(job=job)
    assert Subscription.objects.count() == 2
    assert Account.objects.get().mrr == Decimal("1000.00")
    assert Subscription.objects.get(is_trial=True).end_date == date(2025, 1, 1)
    contacts = "id;account;email;name\nu1;acme;ann@acme.test;Ann\nu2;nope;bob@acme.test;Bob\n"
    job = import_job_create(kind="contacts", file_name="c.csv", content=contacts.encode())
    import_job_validate(job=job)
    assert job.errors == [
        {
            "row": 3,
            "field": "account",
            "column": "account",
            "value": "nope",
            "reason": "No account has the id 'nope': import the accounts first, or check the id.",
        }
    ]
    assert not Contact.objects.exists()


def test_unreadable_files_are_refused():
    with pytest.raises(ImportFileError, match="UTF-8"):
        import_job_create(kind="accounts", file_name="x.csv", content="name\nCaf\xe9\n".encode("latin-1"))
    with pytest.raises(ImportFileError, match="no rows"):
        import_job_create(kind="accounts", file_name="x.csv", content=b"external_id,name\n")


def test_pages_flow_and_roles(client, user_for_role, django_assert_max_num_queries, django_capture_on_commit_callbacks):
    client.force_login(user_for_role(Role.READONLY))
    assert client.get(reverse("accounts:import_list")).status_code == 403
    client.force_login(user_for_role(Role.CSM))
    client.get(reverse("accounts:import_list"))
    upload = SimpleUploadedFile("accounts.csv", ACCOUNTS_CSV.encode(), content_type="text/csv")
    response = client.post(reverse("accounts:import_list"), {"kind": "accounts", "file": upload})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response.url == reverse("accounts:import_detail", args=[job.pk])
    with django_assert_max_num_queries(12):
        page = client.get(response.url).content.decode()
    assert "Acme Europe" in page  # preview
    # change the mapping through htmx: the preview follows
    mapping = {f"map_{k}": v for k, v in job.mapping.items()}
    partial = client.post(
        reverse("accounts:import_preview", args=[job.pk]), {**mapping, "map_domain": ""}, HTTP_HX_REQUEST="true"
    )
    assert "acme.test" not in partial.content.decode()
    client.post(reverse("accounts:import_validate", args=[job.pk]), mapping)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.VALIDATED
    with django_capture_on_commit_callbacks(execute=True):  # eager Celery runs the import after commit
        client.post(reverse("accounts:import_run", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and Account.objects.count() == 3
    progress = client.get(response.url, HTTP_HX_REQUEST="true").content.decode()
    assert "100%" in progress and "hx-trigger" not in progress  # done: polling stops
    with django_assert_max_num_queries(8):
        assert client.get(reverse("accounts:import_list")).status_code == 200


def test_one_action_per_url_and_a_job_that_ran_is_left_alone(client, user_for_role):
    """The mapping step posts to preview/, validate/ or run/ (no hidden field picks the action);
    the page itself takes no POST, and a step on a job that already ran changes nothing."""
    # given
    client.force_login(user_for_role(Role.CSM))
    client.get(reverse("accounts:import_list"))
    upload = SimpleUploadedFile("accounts.csv", ACCOUNTS_CSV.encode(), content_type="text/csv")
    client.post(reverse("accounts:import_list"), {"kind": "accounts", "file": upload})
    job = ImportJob.objects.get()
    page = client.get(reverse("accounts:import_detail", args=[job.pk])).content.decode()
    # then
    assert 'name="action"' not in page
    assert reverse("accounts:import_preview", args=[job.pk]) in page
    assert reverse("accounts:import_validate", args=[job.pk]) in page
    assert client.post(reverse("accounts:import_detail", args=[job.pk])).status_code == 405
    # when the job has run
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.DONE)
    mapping = {f"map_{k}": "" for k in job.mapping}
    response = client.post(reverse("accounts:import_validate", args=[job.pk]), mapping)
    # then
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and job.mapping
