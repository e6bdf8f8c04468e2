"""The account page's contacts card rows written in Python (accounts.contact_rows, issue 23): the
same markup as the template loop they replaced, in every language, with and without edit rights."""

from datetime import timedelta

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone, translation

from accounts.contact_rows import contact_rows_html
from accounts.selectors import account_contacts
from tests.factories import AccountFactory, ContactFactory
from tests.factories.onboarding import PersonaFactory
from tests.html_tokens import html_tokens
from tests.page_language import get_as

pytestmark = pytest.mark.django_db

# The loop as templates/accounts/account_detail.html had it before accounts.contact_rows.
OLD_LOOP = Template(
    "{% load account_tags i18n %}"
    "{% for c in contacts %}\n"
    "        <li>\n"
    '          <span class="avatar sm">{{ c.name|slice:":1"|default:"?" }}</span>\n'
    '          <div class="who">\n'
    '            <div class="strong" dir="auto"><a href="{% url \'accounts:contact_detail\' c.pk '
    '%}">{{ c.name|default:c.email }}</a>{% if c.language != "en" %} <span class="badge lang">{'
    "{ c.language }}</span>{% endif %}</div>\n"
    '            <div class="muted small">{{ c.title|default:"—" }}{% if c.persona %} · {{ c.pe'
    "rsona }}{% endif %}</div>\n"
    "          </div>\n"
    '          <div class="seen muted small" title="{{ c.last_seen_at|default_if_none:\'\' }}">{%'
    " if c.last_seen_at %}{{ c.last_seen_at|days_from_today|relative_days }}{% else %}{% transl"
    'ate "never seen" %}{% endif %}</div>\n'
    '          {% if can_edit %}<button type="button" class="btn ghost sm contact-edit" hx-get='
    '"{% url \'accounts:contact_fields\' account.pk c.pk %}" hx-target="#contact-slot-{{ c.pk }}"'
    ' hx-swap="innerHTML" aria-label="{% blocktranslate with name=c %}Edit {{ name }}{% endbloc'
    'ktranslate %}" title="{% translate \'Edit\' %}"><svg width="12" height="12"><use href="#i-ed'
    'it"/></svg></button>{% endif %}\n'
    "        </li>\n"
    '        <li class="contact-slot" id="contact-slot-{{ c.pk }}"></li>\n'
    '        {% empty %}<li class="empty">{% translate "No contacts yet." %}</li>{% endfor %}'
)


def _contacts(account):
    now = timezone.now()
    persona = PersonaFactory(name="Champion <b> & co")
    ContactFactory(
        account=account,
        name='Layla "Haddad" <x>',
        language="ar",
        title="CTO & founder",
        persona=persona,
        last_seen_at=now - timedelta(days=3),
    )
    ContactFactory(account=account, name="", email="anon@customer.example", title="", last_seen_at=now)
    ContactFactory(account=account, name="王芳", language="zh-hans", last_seen_at=now + timedelta(days=2))
    ContactFactory(account=account, name="Nobody", last_seen_at=None)
    ContactFactory(account=account, name="Year ago", language="fa", last_seen_at=now - timedelta(days=400))
    return account_contacts(account=account)[0]


@pytest.mark.parametrize("language", ["en", "ar", "fa", "zh-hans"])
@pytest.mark.parametrize("can_edit", [True, False])
def test_rows_equal_the_template_loop(language, can_edit):
    account = AccountFactory()
    contacts = _contacts(account)
    with translation.override(language):
        old = OLD_LOOP.render(Context({"contacts": contacts, "account": account, "can_edit": can_edit}))
        new = contact_rows_html(contacts, account_pk=account.pk, can_edit=can_edit)
    assert html_tokens(new) == html_tokens(old)
    assert new == old


@pytest.mark.parametrize("language", ["en", "ar", "fa", "zh-hans"])
def test_no_contacts_row_equals_the_template_loop(language):
    account = AccountFactory()
    with translation.override(language):
        old = OLD_LOOP.render(Context({"contacts": [], "account": account, "can_edit": True}))
        new = contact_rows_html([], account_pk=account.pk, can_edit=True)
    assert new == old


def test_account_page_shows_the_rows(client, admin_user):
    account = AccountFactory()
    contact = ContactFactory(account=account, name="Layla Haddad")
    html = get_as(client, admin_user, "en", reverse("accounts:detail", args=[account.pk])).content.decode()
    assert f'href="{reverse("accounts:contact_detail", args=[contact.pk])}">Layla Haddad</a>' in html
    assert reverse("accounts:contact_fields", args=[account.pk, contact.pk]) in html
