"""The views of issue 15, item 6 answer a refused htmx request with a 4xx fragment that says,
in words a person reads, what to fix (static/js/htmx_errors.js swaps it where the user acted)."""

import pytest

from tests.factories import AccountFactory
from tests.factories.playbooks import TaskFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def test_scorecard_preview_names_the_measure_and_field_it_refuses(client, admin_user):
    # given
    client.force_login(admin_user)
    page = client.get("/health/scorecards/new/")
    first = page.context["rows"][0]
    data = {"name": "Enterprise", "red_below": 40, "green_from": 70, "preview": "1"}
    for row in page.context["rows"]:
        data |= {f"{row['key']}-on": "on", f"{row['key']}-weight": 10, f"{row['key']}-points": "0:0, 10:100"}
    data[f"{first['key']}-weight"] = 500
    # when
    response = client.post("/health/scorecards/new/", data, **HTMX)
    # then
    assert response.status_code == 400
    assert response.templates[0].name == "preview"  # the {% partialdef preview %} of health/scorecard_form.html
    assert f"{first['label']} · weight: Ensure this value is less than or equal to 100." in response.content.decode()


def test_bulk_action_with_nothing_ticked_answers_400_with_a_plain_message(client, csm_user):
    # given
    TaskFactory(account=AccountFactory(owner=csm_user))
    client.force_login(csm_user)
    client.get("/tasks/")
    # when
    response = client.post("/tasks/bulk/", {"action": "snooze", "days": 7}, **HTMX)
    # then
    assert response.status_code == 400
    body = response.content.decode()
    assert 'role="alert">Tick at least one task below.</li>' in body
    assert "task_ids:" not in body


def test_playbook_preview_names_the_field_by_its_label(client, admin_user):
    # given
    client.force_login(admin_user)
    client.get("/playbooks/new/")
    # when
    response = client.post("/playbooks/preview/", {"name": "Big", "arr_min": "-5"}, **HTMX)
    # then
    assert response.status_code == 400
    body = response.content.decode()
    assert "<strong>ARR at least</strong>: Ensure this value is greater than or equal to 0." in body
    assert "arr_min" not in body
