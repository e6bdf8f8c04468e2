"""Every onboarding page in Arabic: right to left, and no English left but the data the test wrote
(tests/english_left.py names what counts as English)."""

import pytest
from django.urls import reverse

from onboarding import services
from tests.english_left import english_left, get_in


@pytest.fixture
def book(admin_client, admin_user, published_map, account, tech_template):
    """An admin looking at a map, a checklist template, and an account with a plan and a checklist."""
    plan = services.success_plan_start(account=account, success_map=published_map)
    services.checklist_start(account=account, template=tech_template)
    version = published_map.versions.get()
    data = [
        account.name,
        str(account.owner),
        str(admin_user),
        account.segment,
        published_map.name,
        str(published_map.persona),
        tech_template.name,
        "report_created",
        "integration_connected",
        "events_30d",
        *[s.name for s in version.stages.all()],
        *[m.title for s in version.stages.all() for m in s.milestones.all()],
        *[v.title for s in version.stages.all() for v in s.vehicles.all()],
        *[i.title for i in tech_template.items.all()],
        *[g.title for g in plan.goals.all()],
        "https://learn.example.com/setup",
    ]
    return {"map": published_map, "account": account, "template": tech_template, "data": data}


PAGES = [
    ("onboarding:board", lambda b: []),
    ("onboarding:ttfv", lambda b: []),
    ("onboarding:map_list", lambda b: []),
    ("onboarding:map_edit", lambda b: [b["map"].pk]),
    ("onboarding:checklist_list", lambda b: []),
    ("onboarding:checklist_edit", lambda b: [b["template"].pk]),
    ("onboarding:account", lambda b: [b["account"].pk]),
]


@pytest.mark.parametrize("name, args", PAGES, ids=[p[0] for p in PAGES])
def test_page_in_arabic_has_no_english_chrome(admin_client, book, name, args):
    # given an admin whose language is Arabic
    url = reverse(name, args=args(book))
    # when they open the page
    response = get_in(admin_client, url, "ar")
    # then it is right to left and its chrome is Arabic
    assert response.status_code == 200
    html = response.content.decode()
    assert english_left(html, book["data"]) == []
    english = english_left(get_in(admin_client, url, "en").content.decode(), book["data"])
    assert english, "the check finds the English chrome of the same page"


def test_translation_tab_in_arabic(admin_client, book):
    url = reverse("onboarding:map_edit", args=[book["map"].pk]) + "?lang=fa"
    html = get_in(admin_client, url, "ar").content.decode()
    assert 'id="map-translations"' in html
    assert english_left(html, book["data"]) == []
