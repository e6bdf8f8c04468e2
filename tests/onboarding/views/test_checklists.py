"""Checklist templates and team settings: one URL per form; errors name their field."""

from django.urls import reverse

from onboarding.models import ChecklistTemplate


def test_admin_edits_checklist_templates(admin_client, db):
    url = reverse("onboarding:checklist_list")
    admin_client.get(url)  # the page that holds the form, as a browser has it
    admin_client.post(
        reverse("onboarding:checklist_create"),
        {
            "name": "High-touch",
            "touch_model": "high_touch",
            "tiers": ["strategic", "key"],
            "value_event": "report_created",
        },
    )
    template = ChecklistTemplate.objects.get(name="High-touch")
    assert template.tiers == ["key", "strategic"]
    edit = reverse("onboarding:checklist_edit", args=[template.pk])
    add_item = reverse("onboarding:checklist_item_create", args=[template.pk])
    admin_client.post(add_item, {"title": "Kickoff session", "owner": "csm", "due_offset_days": 5})
    bad = admin_client.post(add_item, {"title": "x", "owner": "csm", "due_offset_days": -1}, follow=True)
    assert bad.status_code == 400 and "due_offset_days" in bad.content.decode()
    assert list(template.items.values_list("title", "due_offset_days")) == [("Kickoff session", 5)]
    assert "Kickoff session" in admin_client.get(edit).content.decode()
    admin_client.post(
        reverse("onboarding:settings_update"), {"value_event": "dashboard_viewed", "stalled_days": 10, "stuck_days": 21}
    )
    from onboarding.models import OnboardingSettings

    assert OnboardingSettings.load().stalled_days == 10
