"""A task created by hand (issue 15, item 15), the pages (playbooks/views/task_create.py): the
inbox's form (account picked from a search) and the account page's form (account fixed),
through the CSRF-enforcing client."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.choices import Role
from playbooks.choices import Priority
from playbooks.models import Task
from tests.factories import AccountFactory, UserFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.now().date()
HX = {"HTTP_HX_REQUEST": "true"}


# Section: service


def _form_data(account, **extra) -> dict:
    return {
        "account": account.pk,
        "title": "Send the QBR deck",
        "body": "Before Friday",
        "priority": Priority.HIGH,
        "due_date": (TODAY + timedelta(days=3)).isoformat(),
        **extra,
    }


def test_inbox_new_task_from_the_form(client, csm_user):
    # given: the inbox, and the form it loads
    account = AccountFactory(owner=csm_user, name="Acme")
    client.force_login(csm_user)
    inbox = client.get(reverse("playbooks:inbox")).content.decode()
    assert 'id="task-new-button"' in inbox and 'id="task-new"' in inbox
    form = client.get(reverse("playbooks:task_create"), **HX)
    html = form.content.decode()
    assert form.status_code == 200 and 'name="csrfmiddlewaretoken"' in html
    assert f'name="account" value="{account.pk}"' in html  # my accounts are offered first
    assert f'<option value="{csm_user.pk}" selected>' in html  # assignee: me
    # when
    response = client.post(reverse("playbooks:task_create"), _form_data(account), **HX)
    # then
    assert response.status_code == 200
    assert response["HX-Trigger"] == "tasks-changed"
    task = Task.objects.get()
    assert (task.title, task.body, task.priority, task.assignee, task.account) == (
        "Send the QBR deck",
        "Before Friday",
        Priority.HIGH,
        csm_user,
        account,
    )
    body = response.content.decode()
    assert "Task created" in body and reverse("playbooks:task_detail", args=[task.pk]) in body
    assert 'hx-target="#inbox-groups"' in body  # the groups reload to show it


def test_inbox_form_errors_are_on_the_fields(client, csm_user):
    account = AccountFactory(owner=csm_user)
    client.force_login(csm_user)
    client.get(reverse("playbooks:task_create"), **HX)
    data = _form_data(account, title="", due_date=(TODAY - timedelta(days=2)).isoformat())
    del data["account"]
    response = client.post(reverse("playbooks:task_create"), data, **HX)
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="task-new-account-errors"' in html and "Choose an account." in html
    assert 'id="task-new-title-errors"' in html and "Say what needs doing." in html
    assert not Task.objects.exists()
    # the service's own checks land on their field too
    response = client.post(reverse("playbooks:task_create"), _form_data(account, due_date="2001-01-01"), **HX)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="task-new-due_date-errors"' in html and "cannot be in the past" in html
    assert f'value="{account.pk}" checked' in html  # the chosen account stays chosen
    assert not Task.objects.exists()


def test_assign_to_another_csm_and_refuse_a_readonly_assignee(client, csm_user, readonly_user):
    account = AccountFactory(owner=csm_user)
    colleague = UserFactory(role=Role.CSM)
    client.force_login(csm_user)
    client.get(reverse("playbooks:task_create"), **HX)
    bad = client.post(reverse("playbooks:task_create"), _form_data(account, assignee=readonly_user.pk), **HX)
    assert bad.status_code == 400 and 'id="task-new-assignee-errors"' in bad.content.decode()
    ok = client.post(reverse("playbooks:task_create"), _form_data(account, assignee=colleague.pk), **HX)
    assert ok.status_code == 200 and Task.objects.get().assignee == colleague


def test_account_search_finds_by_name_mine_first(client, csm_user):
    AccountFactory(name="Globex West", owner=UserFactory(role=Role.CSM))
    mine = AccountFactory(name="Globex East", owner=csm_user)
    AccountFactory(name="Initech", owner=csm_user)
    client.force_login(csm_user)
    response = client.get(reverse("playbooks:task_account_search"), {"account_q": "globex"}, **HX)
    names = [a.name for a in response.context["accounts"]]
    assert names == ["Globex East", "Globex West"] and names[0] == mine.name
    assert "Initech" not in response.content.decode()


def test_without_htmx_the_page_posts_and_redirects(client, csm_user):
    account = AccountFactory(owner=csm_user)
    client.force_login(csm_user)
    page = client.get(reverse("playbooks:task_create"))
    assert page.status_code == 200 and "hx-post" not in page.content.decode().split('<form class="card task-new"')[1]
    response = client.post(reverse("playbooks:task_create"), _form_data(account))
    assert response.status_code == 302 and response["Location"] == reverse("playbooks:inbox")
    assert Task.objects.count() == 1


def test_readonly_gets_no_button_and_no_form(client, readonly_user):
    account = AccountFactory()
    client.force_login(readonly_user)
    assert 'id="task-new-button"' not in client.get(reverse("playbooks:inbox")).content.decode()
    assert client.get(reverse("playbooks:task_create"), **HX).status_code == 403
    response = client.post(reverse("playbooks:task_create"), _form_data(account), **HX)
    assert response.status_code == 403
    assert not Task.objects.exists()


def test_post_without_the_pages_token_is_refused(client, csm_user):
    account = AccountFactory(owner=csm_user)
    client.force_login(csm_user)
    response = client.post(reverse("playbooks:task_create"), _form_data(account), **HX)
    assert response.status_code == 403 and not Task.objects.exists()


def test_account_page_new_task_with_the_account_fixed(client, csm_user):
    # given
    account = AccountFactory(owner=csm_user, name="Acme")
    client.force_login(csm_user)
    page = client.get(reverse("accounts:detail", args=[account.pk])).content.decode()
    assert f"{reverse('playbooks:task_create')}?account={account.pk}" in page
    form = client.get(reverse("playbooks:task_create"), {"account": account.pk}, **HX).content.decode()
    assert f'<input type="hidden" name="account" value="{account.pk}">' in form and 'name="fixed" value="1"' in form
    assert 'hx-target="#account-tasks"' in form and "account_q" not in form
    # when
    data = _form_data(account, fixed="1", title="Plan the kickoff")
    response = client.post(reverse("playbooks:task_create"), data, **HX)
    # then: the Tasks panel comes back with the new task in it
    html = response.content.decode()
    assert response.status_code == 200 and response["HX-Trigger"] == "tasks-changed"
    assert html.lstrip().startswith("<") and 'id="account-tasks"' in html and "Plan the kickoff" in html
    assert Task.objects.get().account == account


def test_account_page_errors_come_back_in_the_panel(client, csm_user):
    account = AccountFactory(owner=csm_user)
    client.force_login(csm_user)
    client.get(reverse("accounts:detail", args=[account.pk]))
    response = client.post(reverse("playbooks:task_create"), _form_data(account, fixed="1", title=""), **HX)
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="account-tasks"' in html and 'id="task-new-title-errors"' in html
    assert not Task.objects.exists()


def test_readonly_sees_no_new_task_button_on_the_account_page(client, readonly_user):
    account = AccountFactory()
    client.force_login(readonly_user)
    page = client.get(reverse("accounts:detail", args=[account.pk])).content.decode()
    assert "?account=" not in page.split('id="account-tasks"')[1].split("</div>")[0]
