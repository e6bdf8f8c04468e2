"""Admin-written map texts per language: the editor's language tabs and translation form, and the
customer's shared plan in the contact's language, falling back to the default for what is not written."""

import pytest
from django.urls import reverse

from onboarding import services
from onboarding.models import Milestone, SuccessVehicle
from tests.factories import ContactFactory


@pytest.fixture
def arabic_map(published_map):
    """The published map with Arabic names for "Set up", its milestone "Kickoff call" and its course;
    "Adopt", "Expand" and the other milestones are left in the default language."""
    version = published_map.versions.get()
    setup = version.stages.get(name="Set up")
    services.map_version_translations_set(
        version=version,
        language="ar",
        stages={setup.pk: {"name": "الإعداد"}},
        milestones={Milestone.objects.get(title="Kickoff call").pk: {"title": "اجتماع الانطلاق"}},
        vehicles={SuccessVehicle.objects.get(title="Setup course").pk: {"title": "دورة الإعداد"}},
    )
    return published_map


def test_shared_plan_in_arabic_shows_arabic_stage_names_and_falls_back_for_the_rest(client, arabic_map, account):
    # given a plan on the map, shared with an Arabic-speaking contact, now in "Set up", aiming at "Adopt"
    plan = services.success_plan_start(account=account, success_map=arabic_map)
    stages = list(plan.map_version.stages.all())
    services.plan_stages_set(plan=plan, current_stage=stages[0], target_stage=stages[1])
    contact = ContactFactory(account=account, language="ar")
    link = services.share_link_create(plan=plan, contact=contact, days=14)
    url = reverse("onboarding:shared_plan", args=[services.share_link_token(link)])
    # when the customer opens it
    html = client.get(url).content.decode()
    # then the written Arabic texts show, and the unwritten ones in the default language
    assert '<html lang="ar" dir="rtl">' in html
    assert 'id="stage-now" style="font-size:16px">الإعداد<' in html
    assert 'id="stage-goal" style="font-size:16px">Adopt<' in html
    assert "<h2>الإعداد</h2>" in html and "<h2>Adopt</h2>" in html and "<h2>Set up</h2>" not in html
    assert "اجتماع الانطلاق" in html and "Kickoff call" not in html
    assert "Connect a data source" in html  # not written in Arabic: the default
    assert "دورة الإعداد" in html and "Setup course" not in html
    # and in English (an explicit choice) every text is the default
    english = client.get(url + "?lang=en").content.decode()
    assert "<h2>Set up</h2>" in english and "Kickoff call" in english and "الإعداد" not in english


def test_a_goal_renamed_by_the_csm_reads_as_written(client, arabic_map, account):
    plan = services.success_plan_start(account=account, success_map=arabic_map)
    goal = plan.goals.get(milestone__title="Kickoff call")
    goal.title = "Kickoff call with the CFO"
    goal.save(update_fields=["title"])
    assert goal.title_in("ar") == "Kickoff call with the CFO"
    assert plan.goals.get(milestone__title="Second team").title_in("ar") == "Second team"


def test_admin_writes_a_versions_texts_in_arabic_from_the_editor(admin_client, published_map):
    # given the editor on its Arabic tab
    version = published_map.versions.get()
    edit = reverse("onboarding:map_edit", args=[published_map.pk])
    page = admin_client.get(edit + "?lang=ar").content.decode()
    setup = version.stages.get(name="Set up")
    assert 'id="map-translations"' in page and f'name="stage-{setup.pk}-name"' in page
    assert 'placeholder="Set up"' in page and 'lang="ar"' in page
    # when the admin saves a stage name, and then a name too long for its column
    url = reverse("onboarding:map_translations", args=[published_map.pk, version.number, "ar"])
    response = admin_client.post(url, {f"stage-{setup.pk}-name": "الإعداد"})
    kickoff = Milestone.objects.get(title="Kickoff call")
    bad = admin_client.post(url, {f"milestone-{kickoff.pk}-title": "x" * 201})
    # then the first is stored and the editor comes back on that tab; the second is refused on its input
    assert response.status_code == 302 and response.url == f"{edit}?version=1&lang=ar"
    setup.refresh_from_db()
    assert setup.translations == {"ar": {"name": "الإعداد"}}
    assert bad.status_code == 400 and f'id="id_milestone-{kickoff.pk}-title"' in bad.content.decode()
    assert "errorlist" in bad.content.decode()
    # the tabs say how much is left to write
    tabs = admin_client.get(edit + "?lang=fa").content.decode()
    assert 'id="content-language-tabs"' in tabs and "missing" in tabs


def test_translation_urls_refuse_the_default_and_unknown_languages(admin_client, published_map):
    admin_client.get(reverse("onboarding:map_edit", args=[published_map.pk]) + "?lang=ar")  # the page with the form
    for code in ("en", "de"):
        url = reverse("onboarding:map_translations", args=[published_map.pk, 1, code])
        assert admin_client.post(url, {}).status_code == 404


def test_admin_writes_checklist_items_in_chinese(admin_client, tech_template):
    item = tech_template.items.get(position=0)
    edit = reverse("onboarding:checklist_edit", args=[tech_template.pk])
    page = admin_client.get(edit + "?lang=zh-hans").content.decode()
    assert 'id="checklist-translations"' in page
    response = admin_client.post(
        reverse("onboarding:checklist_translations", args=[tech_template.pk, "zh-hans"]),
        {f"item-{item.pk}-title": "观看介绍"},
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.text("title", "zh-hans") == "观看介绍" and item.text("title", "ar") == "Watch the intro"


def test_maps_api_gives_each_texts_translations(arabic_map):
    from rest_framework.test import APIClient

    from tests.factories import UserFactory

    client = APIClient()
    client.force_authenticate(UserFactory(role="admin"))
    response = client.get(reverse("onboarding-api:success-map-detail", args=[arabic_map.pk]))
    stages = {s["name"]: s for s in response.json()["versions"][0]["stages"]}
    assert stages["Set up"]["translations"] == {"ar": {"name": "الإعداد"}}
    assert stages["Adopt"]["translations"] == {}
    assert {m["title"]: m["translations"] for m in stages["Set up"]["milestones"]}["Kickoff call"] == {
        "ar": {"title": "اجتماع الانطلاق"}
    }
