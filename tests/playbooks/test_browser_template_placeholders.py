"""Browser: the template form lists the placeholders, and a tag that would reach files or
settings is refused on the field where the admin typed it."""

import pytest
from django.urls import reverse

from core.choices import Role
from playbooks.models import EmailTemplate
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_email_template_form_lists_placeholders_and_refuses_load(page, login, screenshot):
    login(UserFactory(username="tmpl", role=Role.ADMIN, first_name="Tia", last_name="Templates"))
    page.goto(reverse("playbooks:email_template_create"))
    assert "account.owner.name / .first_name / .email" in page.inner_text("body")
    page.fill("#id_name", "Renewal")
    page.fill("#id_subject", "Your {{ account.name }} renewal")
    page.fill("#id_body", "{% load static %}Hi {{ contact.first_name|default:'there' }}")
    page.click("button:has-text('Save')")
    page.wait_for_selector("text=cannot be used in these templates")
    screenshot("email-template-placeholders-refused-load")
    assert not EmailTemplate.objects.exists()
