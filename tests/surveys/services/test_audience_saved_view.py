"""A shared saved view as a survey's audience: only contacts of its accounts (the send plan,
the preview count and the widget share audience_filter)."""

import pytest

from accounts.models import Contact
from surveys.services.audience import audience_filter, survey_audience_contact_ids
from tests.factories import AccountFactory, ContactFactory, SavedViewFactory, SurveyFactory

pytestmark = pytest.mark.django_db

KEY = {"match": "all", "groups": [{"match": "all", "conditions": [{"field": "tier", "op": "in", "value": ["key"]}]}]}


def test_saved_view_narrows_the_audience():
    view = SavedViewFactory(shared=True, definition=KEY)
    inside = ContactFactory(account=AccountFactory(tier="key"))
    outside = ContactFactory(account=AccountFactory(tier="standard"))
    survey = SurveyFactory(saved_view=view, sample_percent=100)
    assert list(audience_filter(Contact.objects.all(), survey)) == [inside]
    assert survey_audience_contact_ids(survey=survey, contact_ids=[inside.pk, outside.pk]) == {inside.pk}


def test_a_view_unshared_later_asks_nobody():
    view = SavedViewFactory(shared=True, definition=KEY)
    ContactFactory(account=AccountFactory(tier="key"))
    survey = SurveyFactory(saved_view=view)
    view.shared = False
    view.save()
    survey.refresh_from_db()
    assert not audience_filter(Contact.objects.all(), survey).exists()


def test_deleting_the_view_keeps_the_survey():
    view = SavedViewFactory(shared=True, definition=KEY)
    survey = SurveyFactory(saved_view=view)
    view.delete()
    survey.refresh_from_db()
    assert survey.saved_view is None
