"""/demo-host/: a development page that signs widget identities, so DEBUG only, and only for
contacts the database holds (issue 15 item 4)."""

import pytest

from demo.views import DEMO_WORKSPACE
from surveys.models import SurveyWorkspace
from tests.factories import AccountFactory, ContactFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def workspace():
    return SurveyWorkspace.objects.create(name=DEMO_WORKSPACE, allowed_origins="http://localhost:8000")


def test_not_served_without_debug_even_when_the_demo_workspace_exists(client, settings, workspace):
    settings.DEBUG = False
    ContactFactory(account=AccountFactory(), external_id="demo-user")
    for path in ("/demo-host/", "/demo-host/?user=demo-user", "/demo-host/?user=anyone-at-all"):
        response = client.get(path)
        assert response.status_code == 404
        assert workspace.user_hash("anyone-at-all").encode() not in response.content


def test_signs_only_ids_of_existing_contacts(client, settings, workspace):
    settings.DEBUG = True
    contact = ContactFactory(account=AccountFactory(name="Globex"), external_id="demo-user", name="Dana")
    # an id the caller makes up is never signed
    made_up = client.get("/demo-host/?user=victim-42")
    assert made_up.status_code == 404
    assert workspace.user_hash("victim-42").encode() not in made_up.content
    # a contact's own id is, as a host's server would
    page = client.get("/demo-host/?user=demo-user&lang=ar")
    assert page.status_code == 200
    assert f'data-user-hash="{workspace.user_hash(contact.external_id)}"'.encode() in page.content
    assert b'data-language="ar"' in page.content
    # without ?user= the first contact signs in
    first = client.get("/demo-host/")
    assert f'data-user-id="{contact.external_id}"'.encode() in first.content
