"""Playbook e-mail templates written per language: each contact gets the subject and body in their
language, else the default language's; the editor's language tabs write them, checked like the
default texts."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from playbooks.evaluation import playbook_evaluate
from playbooks.models import EmailMessage
from playbooks.services import email_template_translations_set
from tests.factories import AccountFactory, ContactFactory, UserFactory
from tests.factories.playbooks import EmailTemplateFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.now().date()


@pytest.fixture
def template():
    template = EmailTemplateFactory(subject="Hello from {{ account.name }}", body="Hi {{ contact.name }}.")
    return email_template_translations_set(
        template=template, language="ar", subject="مرحبًا من {{ account.name }}", body="أهلًا {{ contact.name }}."
    )


def test_each_contact_gets_the_email_in_their_language(make_playbook, template, django_capture_on_commit_callbacks):
    # given an account with an Arabic, a Chinese (not written) and an English contact
    account = AccountFactory(
        name="Initech", owner=UserFactory(), renewal_date=TODAY + timedelta(days=30), mrr=Decimal("1000")
    )
    ContactFactory(account=account, name="Layla", email="layla@initech.example", language="ar")
    ContactFactory(account=account, name="Wei", email="wei@initech.example", language="zh-hans")
    ContactFactory(account=account, name="Peter", email="peter@initech.example", language="en")
    playbook = make_playbook(
        "renewal_due", {"days": 90}, actions=[{"type": "email", "template": template.pk, "max_contacts": 3}]
    )
    # when the playbook runs
    with django_capture_on_commit_callbacks(execute=True):
        playbook_evaluate(playbook=playbook, as_of=TODAY)
    # then the Arabic contact's e-mail is the Arabic template, the others the default
    sent = {m.to[0]: (m.subject, m.body) for m in mail.outbox}
    assert sent["layla@initech.example"] == ("مرحبًا من Initech", "أهلًا Layla.")
    assert sent["wei@initech.example"] == ("Hello from Initech", "Hi Wei.")
    assert sent["peter@initech.example"] == ("Hello from Initech", "Hi Peter.")
    assert EmailMessage.objects.count() == 3


def test_translations_are_checked_like_the_default_texts(template):
    with pytest.raises(ValidationError) as info:
        email_template_translations_set(template=template, language="fa", subject="{% load x %}", body="")
    assert "subject" in info.value.message_dict
    with pytest.raises(ValidationError) as info:
        email_template_translations_set(template=template, language="en", subject="x", body="")
    assert "language" in info.value.message_dict
    # an empty text removes that language's translation
    email_template_translations_set(template=template, language="ar", subject="", body="")
    template.refresh_from_db()
    assert template.translations == {}


def test_admin_writes_the_arabic_texts_on_the_language_tab(admin_client, template):
    edit = reverse("playbooks:email_template_edit", args=[template.pk])
    page = admin_client.get(edit + "?lang=fa").content.decode()
    assert 'id="template-translations"' in page and 'id="content-language-tabs"' in page
    url = reverse("playbooks:email_template_translations", args=[template.pk, "fa"])
    response = admin_client.post(
        url, {f"template-{template.pk}-subject": "سلام از {{ account.name }}", f"template-{template.pk}-body": ""}
    )
    assert response.status_code == 302 and response.url == f"{edit}?lang=fa"
    template.refresh_from_db()
    assert template.translations["fa"] == {"subject": "سلام از {{ account.name }}"}
    bad = admin_client.post(url, {f"template-{template.pk}-subject": "{% include 'x' %}"})
    assert bad.status_code == 400 and "errorlist" in bad.content.decode()
    assert (
        admin_client.post(reverse("playbooks:email_template_translations", args=[template.pk, "en"])).status_code == 404
    )


def test_email_templates_api_writes_texts_per_language_with_field_errors(admin_user, csm_user):
    from rest_framework.test import APIClient

    client = APIClient()
    url = reverse("playbooks-api:email-template-list")
    body = {
        "name": "Renewal note",
        "subject": "Your renewal, {{ account.name }}",
        "body": "Hi {{ contact.name }}.",
        "translations": {"ar": {"subject": "تجديدكم، {{ account.name }}", "body": "أهلًا {{ contact.name }}."}},
    }
    client.force_authenticate(csm_user)
    assert client.post(url, body, format="json").status_code == 403
    client.force_authenticate(admin_user)
    for bad in (
        {"de": {"subject": "x"}},  # not one of our languages
        {"ar": {"colour": "x"}},  # not a text of the template
        {"ar": {"subject": "{% load x %}"}},  # refused by the engine that renders it
    ):
        response = client.post(url, body | {"translations": bad}, format="json")
        assert response.status_code == 400, bad
    created = client.post(url, body, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["translations"]["ar"]["subject"] == "تجديدكم، {{ account.name }}"
    detail = reverse("playbooks-api:email-template-detail", args=[created.json()["id"]])
    patched = client.patch(detail, {"translations": {"fa": {"subject": "تمدید شما"}}}, format="json")
    assert patched.status_code == 200 and patched.json()["translations"] == {"fa": {"subject": "تمدید شما"}}
