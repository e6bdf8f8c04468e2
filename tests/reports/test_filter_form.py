"""The report pages' filter bar renders its selects with accounts.widgets.FastSelect (issue 22): the
same tags, attributes and text as Django's Select, in every language, with a value chosen or not."""

import pytest
from django import forms
from django.utils import translation

from reports.forms import ReportFilterForm
from tests.factories import UserFactory
from tests.html_tokens import html_tokens

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["en", "ar", "fa", "zh-hans"])
@pytest.mark.parametrize("data", [None, {"period": "last_month", "tier": "key", "segment": "SMB"}])
def test_filter_selects_render_as_django_select(language, data, csm_user, manager_user):
    UserFactory(first_name="Zoë <b>", role="csm")
    if data is not None:
        data = {**data, "csm": str(csm_user.pk)}
    with translation.override(language):
        form = ReportFilterForm(data)
        for name in ("period", "segment", "tier", "csm"):
            field = form.fields[name]
            fast = str(form[name])
            field.widget = forms.Select(choices=field.widget.choices, attrs=field.widget.attrs)
            assert html_tokens(fast) == html_tokens(str(form[name])), name
