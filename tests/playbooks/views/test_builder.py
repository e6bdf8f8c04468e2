"""The playbook builder (playbooks/views/builder.py): admins only, create / edit / history, field errors, the pages."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from playbooks.models import Playbook, PlaybookVersion, Task
from tests.factories import AccountFactory
from tests.factories.playbooks import TaskTemplateFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.now().date()


def _builder_post(template_id, **overrides):
    data = {
        "name": "Detractors",
        "description": "",
        "trigger_type": "survey_answer",
        "p_survey_answer__answer": "detractor",
        "p_survey_answer__lookback_days": "3",
        "cooldown_days": "14",
        "max_enrolments": "",
        "enabled": "on",
        "tiers": ["key"],
        "segments": "Enterprise, SMB",
        "arr_min": "1000",
        "arr_max": "",
        "actions-TOTAL_FORMS": "2",
        "actions-INITIAL_FORMS": "0",
        "actions-MIN_NUM_FORMS": "0",
        "actions-MAX_NUM_FORMS": "8",
        "actions-0-type": "task",
        "actions-0-task_template": str(template_id),
        "actions-1-type": "",
    }
    data.update(overrides)
    return data


def test_builder_is_for_admins(csm_client):
    assert csm_client.get(reverse("playbooks:playbook_list")).status_code == 403
    assert csm_client.post(reverse("playbooks:playbook_create"), {}).status_code == 403


def test_builder_creates_edits_and_keeps_history(admin_client):
    template = TaskTemplateFactory()
    admin_client.get(reverse("playbooks:playbook_create"))  # the page that holds the form, as a browser has it
    response = admin_client.post(reverse("playbooks:playbook_create"), _builder_post(template.pk))
    assert response.status_code == 302, response.content.decode()[:2000]
    playbook = Playbook.objects.get(name="Detractors")
    assert playbook.trigger_params == {"answer": "detractor", "lookback_days": 3}
    assert playbook.conditions == {"tiers": ["key"], "segments": ["Enterprise", "SMB"], "arr_min": 1000.0}
    assert playbook.actions == [{"type": "task", "template": template.pk}]
    # edit: a new version with a snapshot
    admin_client.post(
        reverse("playbooks:playbook_edit", args=[playbook.pk]),
        _builder_post(template.pk, **{"p_survey_answer__lookback_days": "7"}),
    )
    playbook.refresh_from_db()
    assert playbook.version == 2 and playbook.trigger_params["lookback_days"] == 7
    versions = PlaybookVersion.objects.filter(playbook=playbook)
    assert [v.version for v in versions] == [2, 1]
    assert versions[1].snapshot["trigger_params"]["lookback_days"] == 3
    page = admin_client.get(reverse("playbooks:playbook_history", args=[playbook.pk]))
    assert page.status_code == 200 and b"trigger_params" in page.content
    # disable
    admin_client.post(reverse("playbooks:playbook_toggle", args=[playbook.pk]))
    playbook.refresh_from_db()
    assert not playbook.enabled and playbook.version == 3


def test_builder_rejects_bad_params_with_field_errors(admin_client):
    template = TaskTemplateFactory()
    admin_client.get(reverse("playbooks:playbook_create"))  # the page that holds the form, as a browser has it
    response = admin_client.post(
        reverse("playbooks:playbook_create"),
        _builder_post(template.pk, **{"p_survey_answer__lookback_days": "500", "actions-0-task_template": ""}),
    )
    assert response.status_code == 400
    assert not Playbook.objects.exists()
    form = response.context["form"]
    assert "p_survey_answer__lookback_days" in form.errors


def test_builder_pages_render(admin_client, make_playbook):
    playbook = make_playbook("renewal_due", {"days": 90})
    AccountFactory(renewal_date=TODAY + timedelta(10), name="Soon Renewing")
    for name in ("playbook_list", "playbook_create"):
        assert admin_client.get(reverse(f"playbooks:{name}")).status_code == 200
    for name in ("playbook_detail", "playbook_edit", "playbook_history"):
        assert admin_client.get(reverse(f"playbooks:{name}", args=[playbook.pk])).status_code == 200
    preview = admin_client.get(reverse("playbooks:playbook_preview", args=[playbook.pk]))
    assert b"Soon Renewing" in preview.content and b"would enrol" in preview.content
    assert not Task.objects.exists()  # a dry run writes nothing
    # preview of an unsaved form
    template = TaskTemplateFactory()
    draft = _builder_post(
        template.pk, trigger_type="renewal_due", p_renewal_due__days="30", tiers=[], segments="", arr_min=""
    )
    response = admin_client.post(reverse("playbooks:playbook_preview_new"), draft)
    assert b"Soon Renewing" in response.content
    # after a run: the run log names the account, the reason and what was done
    from playbooks.evaluation import playbook_evaluate

    playbook_evaluate(playbook=playbook)
    playbook_evaluate(playbook=playbook)
    detail = admin_client.get(reverse("playbooks:playbook_detail", args=[playbook.pk])).content.decode()
    assert "Soon Renewing" in detail and "renews on" in detail and "task #" in detail
    assert "a task from this playbook is still open" in detail
