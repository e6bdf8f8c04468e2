"""Success-map and checklist texts in other languages (onboarding.services.translations)."""

import pytest
from django.core.exceptions import ValidationError

from onboarding import services
from onboarding.models import AccountChecklistItem, Milestone, Stage, SuccessVehicle


def _version(published_map):
    return published_map.versions.get()


def test_a_published_version_takes_translations_and_a_new_draft_keeps_them(published_map):
    # given the published version's stages, a milestone and a vehicle
    version = _version(published_map)
    setup = version.stages.get(name="Set up")
    kickoff = Milestone.objects.get(title="Kickoff call")
    course = SuccessVehicle.objects.get(title="Setup course")
    # when the admin writes their Arabic texts (the version stays published)
    changed = services.map_version_translations_set(
        version=version,
        language="ar",
        stages={setup.pk: {"name": "الإعداد", "description": ""}},
        milestones={kickoff.pk: {"title": "اجتماع الانطلاق"}},
        vehicles={course.pk: {"title": "دورة الإعداد"}},
    )
    # then each reads in Arabic, falls back to the default elsewhere, and a new draft copies them
    assert changed == 3
    setup.refresh_from_db()
    assert setup.text("name", "ar") == "الإعداد" and setup.text("name", "fa") == "Set up"
    assert Stage.objects.get(name="Adopt").text("name", "ar") == "Adopt"  # not written: the default
    draft = services.success_map_draft(success_map=published_map)
    assert draft.stages.get(key=setup.key).translations == {"ar": {"name": "الإعداد"}}
    assert draft.stages.get(key=setup.key).milestones.get(key=kickoff.key).text("title", "ar") == "اجتماع الانطلاق"


def test_map_translations_are_all_or_nothing_and_name_the_input(published_map):
    version = _version(published_map)
    setup = version.stages.get(name="Set up")
    with pytest.raises(ValidationError) as info:
        services.map_version_translations_set(
            version=version,
            language="ar",
            stages={setup.pk: {"name": "الإعداد"}},
            milestones={Milestone.objects.get(title="Kickoff call").pk: {"title": "x" * 201}},
        )
    assert list(info.value.message_dict) == [f"milestone-{Milestone.objects.get(title='Kickoff call').pk}-title"]
    setup.refresh_from_db()
    assert setup.translations == {}  # the stage written before the error was not kept
    with pytest.raises(ValidationError) as info:
        services.map_version_translations_set(version=version, language="ar", stages={999999: {"name": "x"}})
    assert "stage" in info.value.message_dict
    with pytest.raises(ValidationError):
        services.map_version_translations_set(version=version, language="en", stages={setup.pk: {"name": "x"}})


def test_checklist_items_carry_their_translations_into_started_checklists(tech_template, account):
    # given the template's first item written in Persian
    item = tech_template.items.get(position=0)
    services.checklist_template_translations_set(
        template=tech_template, language="fa", items={item.pk: {"title": "معرفی را ببینید", "description": ""}}
    )
    # when a checklist starts from it
    checklist = services.checklist_start(account=account, template=tech_template)
    # then the account's item reads in Persian, and in the default language otherwise
    started = AccountChecklistItem.objects.get(checklist=checklist, position=0)
    assert started.text("title", "fa") == "معرفی را ببینید"
    assert started.text("title", "ar") == "Watch the intro"
