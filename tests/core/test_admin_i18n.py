"""The Django admin in the reader's language (issue 22: "the Django admin marked"): every model of
the project's apps that the admin shows has its names, field labels and help texts marked for
translation, and an Arabic admin reads them from the catalogue."""

from pathlib import Path

import pytest
from django.conf import settings
from django.contrib import admin
from django.urls import reverse
from django.utils.functional import Promise

from tests.factories import AccountFactory, UserFactory


def _project_models():
    base = Path(settings.BASE_DIR).resolve()
    for model in admin.site._registry:
        path = Path(model._meta.app_config.path).resolve()
        if path.is_relative_to(base) and ".venv" not in path.parts:
            yield model


def test_the_admin_shows_project_models():
    assert {m._meta.app_label for m in _project_models()} >= {"accounts", "core", "usage"}


@pytest.mark.parametrize("model", list(_project_models()), ids=lambda m: m._meta.label)
def test_every_admin_label_is_marked(model):
    opts = model._meta
    unmarked = []
    if not isinstance(opts.verbose_name, Promise):
        unmarked.append("Meta.verbose_name")
    # Django's default plural is the singular + "s" even in Arabic: it must be given
    if "verbose_name_plural" not in opts.original_attrs and opts.model.__module__.split(".")[0] != "django":
        if not any("verbose_name_plural" in vars(getattr(base, "Meta", object)) for base in model.__mro__):
            unmarked.append("Meta.verbose_name_plural")
    for field in opts.get_fields():
        if not getattr(field, "concrete", False) or field.auto_created:
            continue
        if not isinstance(field.verbose_name, Promise):
            unmarked.append(field.name)
        if field.help_text and not isinstance(field.help_text, Promise):
            unmarked.append(f"{field.name} (help text)")
    assert not unmarked, f"{opts.label}: not marked for translation: {unmarked}"


@pytest.mark.django_db
def test_the_admin_in_arabic(client):
    AccountFactory()
    admin_user = UserFactory(is_staff=True, is_superuser=True, role="admin", language="ar")
    client.force_login(admin_user)
    page = client.get(reverse("admin:accounts_account_changelist")).content.decode()
    assert 'lang="ar"' in page and 'dir="rtl"' in page
    for arabic in ("الحسابات", "المستوى", "الشريحة", "مرحلة دورة الحياة", "تاريخ التجديد", "درجة الصحة"):
        assert arabic in page, arabic
    form = client.get(reverse("admin:accounts_subscription_add")).content.decode()
    assert "تاريخ البدء" in form and "حدود الخطة" in form  # a field label and a help text
