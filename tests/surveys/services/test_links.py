"""Public link surveys (surveys.services.links): the anonymous public page (a signed nonce per
form), a contact's personal link, and no page for a survey that is not live."""

import re

import pytest

from surveys.models import SurveyDelivery, SurveyResponse
from surveys.services import survey_link_for_contact
from tests.factories import AccountFactory, ContactFactory
from tests.factories.surveys import SurveyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey():
    return SurveyFactory(kind="nps", workspace=None)


def test_public_link_anonymous_and_known_contact(client, survey):
    page = client.get(f"/s/{survey.public_slug}/?lang=fa")
    assert page.status_code == 200
    assert b'dir="rtl"' in page.content
    nonce = re.search(rb'name="nonce" value="([^"]+)"', page.content).group(1).decode()
    for score in ("4", "6"):  # resubmitting the same form changes the answer
        client.post(f"/s/{survey.public_slug}/?lang=fa", {"nonce": nonce, "score": score, "comment": "خوب"})
    anonymous = SurveyResponse.objects.get()
    assert (anonymous.score, anonymous.account_id, anonymous.language, anonymous.channel) == (6, None, "fa", "link")
    bad = client.post(f"/s/{survey.public_slug}/", {"nonce": "forged", "score": "5"})
    assert bad.status_code == 400
    # personal link: stored against the contact
    contact = ContactFactory(account=AccountFactory())
    url = survey_link_for_contact(survey=survey, contact=contact)
    path = "/" + url.split("/", 3)[3]
    assert client.get(path).status_code == 200
    client.post(path, {"score": "10", "comment": "Great"})
    known = SurveyResponse.objects.get(contact=contact)
    assert (known.score, known.account_id) == (10, contact.account_id)
    assert SurveyDelivery.objects.get(contact=contact).channel == "link"


def test_inactive_survey_has_no_public_page(client, survey):
    survey.status = "paused"
    survey.save()
    assert client.get(f"/s/{survey.public_slug}/").status_code == 404
