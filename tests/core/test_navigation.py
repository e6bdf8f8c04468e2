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


def test_badges_are_queried_only_when_rendered(csm_user, django_assert_num_queries):
    """The context processor runs on every request, partials included: the badge's query waits
    until a template renders it, and runs once however often the template reads it."""
    from django.template import engines

    from tests.factories import AccountFactory
    from tests.factories.playbooks import TaskFactory

    # given
    TaskFactory(account=AccountFactory(owner=csm_user))
    request = RequestFactory().get("/")
    request.user = csm_user
    # when / then: building the sidebar costs no query
    with django_assert_num_queries(0):
        sections = navigation(request)["nav_sections"]
    # ...and drawing it one, for both reads in base.html
    template = engines["django"].from_string(
        "{% for s, items in nav_sections.items %}{% for i in items %}"
        "{% if i.badge %}[{{ i.label }} {{ i.badge }}]{% endif %}{% endfor %}{% endfor %}"
    )
    with django_assert_num_queries(1):
        assert template.render({"nav_sections": sections}) == "[Tasks 1]"
