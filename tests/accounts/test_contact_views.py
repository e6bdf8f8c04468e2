"""The person page (contact 360): its header, what each floor registers on it, paging, links to
it, and a query count that does not grow with the person's data."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.choices import ActivityKind
from accounts.services import activity_create
from tests.factories import (
    AccountFactory,
    ContactFactory,
    PlanGoalFactory,
    SuccessPlanFactory,
    SupportTicketFactory,
    SurveyResponseFactory,
    TaskFactory,
    UsageEventFactory,
)
from usage.models import AccountDailyContact


def _url(contact) -> str:
    return reverse("accounts:contact_detail", args=[contact.pk])


def _person(csm_user, n: int = 1):
    """A contact with `n` of everything the page shows."""
    account = AccountFactory(owner=csm_user, name="Initech")
    contact = ContactFactory(
        account=account, name="Peter Gibbons", title="Engineer", language="fa", timezone="Asia/Tehran"
    )
    now = timezone.now()
    plan = SuccessPlanFactory(account=account)
    for i in range(n):
        UsageEventFactory(
            account=account, contact=contact, event=f"feature_{i % 3}", occurred_at=now - timedelta(hours=i)
        )
        AccountDailyContact.objects.get_or_create(
            account=account, day=(now - timedelta(days=i)).date(), contact_id=contact.pk
        )
        SupportTicketFactory(account=account, contact=contact, subject=f"ticket {i}")
        SurveyResponseFactory(account=account, contact=contact, score=3, comment=f"answer {i}")
        activity_create(account=account, kind=ActivityKind.CALL, subject=f"call {i}", author=csm_user, contact=contact)
        TaskFactory(account=account, title=f"follow up {i}", signal={"contact_id": contact.pk})
        PlanGoalFactory(owner_contact=contact, title=f"goal {i}", plan=plan)
    return account, contact


def test_person_page_shows_header_and_every_registered_panel(csm_client, csm_user):
    # given
    account, contact = _person(csm_user, n=2)
    other = ContactFactory(account=account, name="Samir")
    TaskFactory(account=account, title="not about Peter", signal={"contact_id": other.pk})
    activity_create(account=account, kind=ActivityKind.NOTE, subject="with Samir", author=csm_user, contact=other)

    # when
    response = csm_client.get(_url(contact))

    # then
    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        "Peter Gibbons",
        "Engineer",
        "Asia/Tehran",
        "Initech",
        "feature_0",
        "feature_1",
        "ticket 1",
        "answer 0",
        "call 1",
        "follow up 0",
        "goal 1",
    ):
        assert text in html, text
    assert "not about Peter" not in html and "with Samir" not in html
    assert reverse("accounts:detail", args=[account.pk]) in html
    assert response.context["panels"]["main"][0]["key"] == "usage"
    assert {p["key"] for col in response.context["panels"].values() for p in col} == {
        "usage",
        "surveys",
        "tasks",
        "goals",
        "email",
    }
    activity = response.context["panels"]["main"][0]["context"]["activity"]
    assert activity["active_30d"] == 2 and activity["days"][-1]["active"]


def test_person_page_query_count_does_not_grow_with_their_data(csm_client, csm_user, django_assert_max_num_queries):
    _, small = _person(csm_user, n=16)  # past every list's first page (10 or 15 rows)
    _, big = _person(csm_user, n=40)
    with CaptureQueriesContext(connection) as ctx:
        assert csm_client.get(_url(small)).status_code == 200
    with django_assert_max_num_queries(len(ctx.captured_queries)):
        assert csm_client.get(_url(big)).status_code == 200


def test_person_page_pages_events_and_timeline(csm_client, csm_user, htmx_headers):
    account, contact = _person(csm_user, n=25)

    page = csm_client.get(_url(contact))
    usage = page.context["panels"]["main"][0]["context"]
    assert len(usage["events"]) == 15 and usage["cursor"]
    older = csm_client.get(
        reverse("usage:contact_events", args=[contact.pk]), {"before": usage["cursor"]}, **htmx_headers
    )
    assert older.status_code == 200
    assert older.content.decode().count("<tr>") == 10  # 25 events, 15 on the page, 10 left, no "more" row
    assert b"Show older events" not in older.content

    assert page.context["has_more"]
    last = page.context["activities"][-1]
    entries = csm_client.get(_url(contact), {"before": last.pk}, **htmx_headers)
    assert entries.status_code == 200 and b"<html" not in entries.content
    assert len(entries.context["activities"]) == 10


def test_person_page_refuses_a_bad_cursor_and_an_unknown_contact(csm_client, csm_user, htmx_headers):
    _, contact = _person(csm_user)
    bad = csm_client.get(reverse("usage:contact_events", args=[contact.pk]), {"before": "yesterday"}, **htmx_headers)
    assert bad.status_code == 400 and b"before" in bad.content
    assert csm_client.get(_url(contact), {"before": "x"}, **htmx_headers).status_code == 400
    assert csm_client.get(reverse("accounts:contact_detail", args=[999999])).status_code == 404


def test_contact_names_link_to_the_person_page(csm_client, csm_user):
    account, contact = _person(csm_user)
    link = _url(contact)
    assert link in csm_client.get(reverse("accounts:detail", args=[account.pk])).content.decode()
    assert link in csm_client.get(reverse("surveys:report")).content.decode()


def test_readonly_user_reads_the_person_page(client, csm_user, readonly_user):
    _, contact = _person(csm_user)
    client.force_login(readonly_user)
    assert client.get(_url(contact)).status_code == 200


def test_tasks_and_plan_goals_link_to_the_person_page(csm_client, csm_user):
    account, contact = _person(csm_user)
    task = TaskFactory(account=account, title="Call back", signal={"contact_id": contact.pk})
    assert _url(contact) in csm_client.get(reverse("playbooks:task_detail", args=[task.pk])).content.decode()
    panel = csm_client.get(reverse("accounts:detail", args=[account.pk])).content.decode()
    assert f'title="Customer-owned" href="{_url(contact)}"' in panel  # the plan's goal the contact owns


def test_a_task_made_from_the_person_page_is_about_them(csm_client, csm_user):
    # given
    account, contact = _person(csm_user)
    person_page = csm_client.get(_url(contact)).content.decode()
    new_url = reverse("playbooks:task_create") + f"?account={account.pk}&contact={contact.pk}"
    assert new_url.replace("&", "&amp;") in person_page

    # when
    form = csm_client.get(new_url)
    assert f'name="contact" value="{contact.pk}"' in form.content.decode()
    due = (timezone.now().date() + timedelta(days=2)).isoformat()
    data = {
        "account": account.pk,
        "fixed": "1",
        "contact": contact.pk,
        "title": "Ask Peter about SSO",
        "priority": 2,
        "due_date": due,
        "assignee": csm_user.pk,
    }
    response = csm_client.post(reverse("playbooks:task_create"), data)

    # then
    assert response.status_code == 302 and response["Location"] == _url(contact)
    assert "Ask Peter about SSO" in csm_client.get(_url(contact)).content.decode()


def test_a_task_about_another_accounts_contact_is_refused_on_the_field(csm_client, csm_user):
    account, _ = _person(csm_user)
    stranger = ContactFactory()
    csm_client.get(reverse("playbooks:task_create") + f"?account={account.pk}")
    due = (timezone.now().date() + timedelta(days=2)).isoformat()
    data = {
        "account": account.pk,
        "fixed": "1",
        "contact": stranger.pk,
        "title": "x",
        "priority": 2,
        "due_date": due,
        "assignee": csm_user.pk,
    }
    response = csm_client.post(reverse("playbooks:task_create"), data)
    assert response.status_code == 400 and "contact" in response.context["form"].errors


# Section: the person page edits the contact (its fields and custom fields, in place)


def _editable_person(csm_user):
    from tests.factories import CustomFieldDefinitionFactory

    account = AccountFactory(owner=csm_user, name="Initech")
    contact = ContactFactory(account=account, name="Peter Gibbons", title="Engineer", custom_fields={"seats": 3})
    CustomFieldDefinitionFactory(entity="contact", key="seats", field_type="number", labels={"en": "Seats owned"})
    return account, contact


def test_person_page_edits_a_field_and_a_custom_field_in_place(csm_client, csm_user, htmx_headers):
    # given
    from accounts.models import Contact

    account, contact = _editable_person(csm_user)
    html = csm_client.get(_url(contact)).content.decode()
    field_url = reverse("accounts:contact_field", args=[account.pk, contact.pk, "title"])
    cf_url = reverse("accounts:contact_custom_field", args=[account.pk, contact.pk, "seats"])
    assert f'id="field-contact-{contact.pk}-title"' in html and f"{field_url}?edit=1" in html
    assert "Seats owned" in html and f"{cf_url}?edit=1" in html
    # when: the pencils, then Save
    form = csm_client.get(field_url, {"edit": "1"}, **htmx_headers)
    saved = csm_client.post(field_url, {"value": "Director"}, **htmx_headers)
    cf_form = csm_client.get(cf_url, {"edit": "1"}, **htmx_headers)
    cf_saved = csm_client.post(cf_url, {"value": "12"}, **htmx_headers)
    # then: each row again, in place
    assert form.status_code == 200 and 'name="value"' in form.content.decode()
    assert saved.status_code == 200 and "Director" in saved.content.decode() and "<form" not in saved.content.decode()
    assert cf_form.status_code == 200 and 'name="value"' in cf_form.content.decode()
    cf_html = cf_saved.content.decode()
    assert cf_saved.status_code == 200 and "12" in cf_html and "<form" not in cf_html
    contact = Contact.objects.get(pk=contact.pk)
    assert contact.title == "Director" and contact.custom_fields["seats"] == 12


def test_person_page_bad_values_come_back_on_the_field_with_400(csm_client, csm_user, htmx_headers):
    # given
    account, contact = _editable_person(csm_user)
    csm_client.get(_url(contact))
    # when
    bad_email = csm_client.post(
        reverse("accounts:contact_field", args=[account.pk, contact.pk, "email"]), {"value": "not mail"}, **htmx_headers
    )
    bad_number = csm_client.post(
        reverse("accounts:contact_custom_field", args=[account.pk, contact.pk, "seats"]),
        {"value": "many"},
        **htmx_headers,
    )
    # then
    assert bad_email.status_code == 400 and 'class="errorlist"' in bad_email.content.decode()
    assert bad_number.status_code == 400 and 'class="errorlist"' in bad_number.content.decode()
    contact.refresh_from_db()
    assert contact.custom_fields == {"seats": 3} and contact.email != "not mail"


def test_person_page_read_only_user_sees_values_no_pencil_and_gets_403(client, csm_user, readonly_user, htmx_headers):
    # given
    account, contact = _editable_person(csm_user)
    client.force_login(readonly_user)
    # when
    response = client.get(_url(contact))
    field_post = client.post(
        reverse("accounts:contact_field", args=[account.pk, contact.pk, "title"]), {"value": "x"}, **htmx_headers
    )
    cf_post = client.post(
        reverse("accounts:contact_custom_field", args=[account.pk, contact.pk, "seats"]), {"value": "9"}, **htmx_headers
    )
    cf_edit = client.get(
        reverse("accounts:contact_custom_field", args=[account.pk, contact.pk, "seats"]), {"edit": "1"}, **htmx_headers
    )
    # then
    html = response.content.decode()
    assert response.status_code == 200 and "Engineer" in html and "Seats owned" in html
    assert "?edit=1" not in html
    assert field_post.status_code == 403 and cf_post.status_code == 403 and cf_edit.status_code == 403
    contact.refresh_from_db()
    assert contact.title == "Engineer" and contact.custom_fields == {"seats": 3}


def test_person_page_with_editing_keeps_a_flat_query_count(csm_client, csm_user, django_assert_max_num_queries):
    # given: a person with one custom field, then with five
    from tests.factories import CustomFieldDefinitionFactory

    account, contact = _editable_person(csm_user)
    csm_client.get(_url(contact))
    with django_assert_max_num_queries(100) as one:
        assert csm_client.get(_url(contact)).status_code == 200
    baseline = len(one.captured_queries)  # now: the next request resets the log
    for i in range(4):
        CustomFieldDefinitionFactory(entity="contact", key=f"extra_{i}")
    csm_client.get(_url(contact))  # the definitions' cache warms again
    # when / then
    with django_assert_max_num_queries(baseline):
        assert csm_client.get(_url(contact)).status_code == 200
