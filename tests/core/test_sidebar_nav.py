"""The sidebar written in Python (core.templatetags.chrome.sidebar_nav) reads as base.html's two
loops did, in every language, for each kind of reader and badge (a count, zero, none)."""

import pytest
from django.template import engines
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from core.context_processors import navigation
from core.templatetags import chrome
from tests.html_tokens import html_tokens as _tokens

pytestmark = pytest.mark.django_db

LOOPS = """{% for section, items in nav_sections.items %}
      <div class="section">{{ section }}</div>
      {% for item in items %}
        <a class="nav{% if item.active %} active{% endif %}" href="{{ item.url }}">
          <svg><use href="#i-{{ item.icon }}"/></svg>{{ item.label }}
          {% if item.badge %}<span class="badge-count" id="nav-badge-{{ item.slug }}">{{ item.badge }}</span>{% elif item.badge == 0 %}<span class="badge-count" id="nav-badge-{{ item.slug }}" hidden></span>{% endif %}
        </a>
      {% endfor %}
    {% endfor %}"""  # base.html before issue 23  # noqa: E501
TAG = "{% load chrome %}{% sidebar_nav %}"


def _render(source: str, user, path: str) -> str:
    request = RequestFactory().get(path)
    request.user = user
    return engines["django"].from_string(source).render(navigation(request), request)


@pytest.mark.parametrize("language", ["en", "ar", "fa", "zh-hans"])
@pytest.mark.parametrize("open_tasks", [0, 3])
def test_a_csms_sidebar_reads_as_the_loops_did(language, open_tasks, csm_user):
    from tests.factories import AccountFactory
    from tests.factories.playbooks import TaskFactory

    # given a CSM with no open task or three (a badge of zero is drawn hidden)
    account = AccountFactory(owner=csm_user)
    for _ in range(open_tasks):
        TaskFactory(account=account, assignee=csm_user)
    chrome._ITEMS.clear()
    with translation.override(language):
        # when the sidebar is drawn by the loops and by the tag (twice: written, then kept)
        expected = _render(LOOPS, csm_user, reverse("playbooks:inbox"))
        first = _render(TAG, csm_user, reverse("playbooks:inbox"))
        kept = _render(TAG, csm_user, reverse("playbooks:inbox"))
    # then the reader gets the same tags, attributes and text, the inbox item active
    assert _tokens(first) == _tokens(expected)
    assert kept == first
    assert 'class="nav active"' in first
    assert ("hidden" in first) == (open_tasks == 0)


@pytest.mark.parametrize("language", ["en", "ar", "fa", "zh-hans"])
@pytest.mark.parametrize("role", ["admin", "manager", "readonly"])
def test_other_readers_sidebars_read_as_the_loops_did(language, role, user_for_role):
    # given another kind of reader (an admin or a manager has a CSM's badge too), on a page of the menu
    user = user_for_role(role)
    with translation.override(language):
        expected = _render(LOOPS, user, "/dashboard/")
        drawn = _render(TAG, user, "/dashboard/")
    # then the markup is the loops'
    assert _tokens(drawn) == _tokens(expected)
    assert ("badge-count" in drawn) == (role != "readonly")
