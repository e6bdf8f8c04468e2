import pytest
from django.test import RequestFactory
from django.urls import reverse

from core.context_processors import navigation

pytestmark = pytest.mark.django_db


def _active_labels(user, path):
    request = RequestFactory().get(path)
    request.user = user
    return [i["label"] for items in navigation(request)["nav_sections"].values() for i in items if i["active"]]


def test_only_the_most_specific_item_is_active(admin_user):
    assert _active_labels(admin_user, reverse("onboarding:map_list")) == ["Success maps"]
    assert _active_labels(admin_user, reverse("onboarding:board")) == ["Success plans"]


def test_items_above_the_users_role_are_hidden(readonly_user, admin_user):
    def labels(user):
        request = RequestFactory().get("/")
        request.user = user
        return {i["label"] for items in navigation(request)["nav_sections"].values() for i in items}

    assert "API keys" not in labels(readonly_user)
    assert "API keys" in labels(admin_user)
