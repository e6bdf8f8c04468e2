"""core.form_rendering: the select widget written in Python is the markup Django's templates write,
character for character, in the four languages (the shared filter forms and the edge cases)."""

import datetime
from decimal import Decimal

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.http import QueryDict
from django.test import RequestFactory
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from accounts.filters import PortfolioFilterSet
from core.audit.filters import AuditFilterSet
from core.form_rendering import FormRenderer, select_html
from notifications.filters import NotificationFilterSet
from renewals.filters_risks import RiskFilterSet
from renewals.forms import OpportunityFilterSet
from reports.forms import ReportFilterForm
from tests.factories import AccountFactory

LANGUAGES = ["en", "ar", "fa", "zh-hans"]


class _Edges(forms.Form):
    plain = forms.ChoiceField(choices=[("a", "A & <b>"), ("1", 1), ("", gettext_lazy("Tier"))], required=False)
    grouped = forms.ChoiceField(
        choices=[("Fruit", [("x", "X"), ("y", mark_safe("<i>Y</i>"))]), ("z", "Z \"quoted\" 'single'")],
        widget=forms.Select(attrs={"class": 'a"b', "hx-get": "/x/?a=1&b=2", "disabled": True, "hidden": False}),
    )
    numbers = forms.TypedChoiceField(
        choices=[(1, Decimal("1234.5")), (2, 1234567), (3, datetime.date(2026, 3, 4))], coerce=int
    )
    many = forms.MultipleChoiceField(choices=[("a", "A"), ("b", "B"), ("c", "C")], required=False)
    maybe = forms.NullBooleanField(required=False)


def _forms(request):
    query = QueryDict("tier=growth&owner=none&health=red&segment=Enterprise&q=a")
    yield _Edges({"plain": "1", "grouped": "y", "numbers": "2", "many": ["a", "c"], "maybe": "true"})
    yield _Edges()
    yield ReportFilterForm(QueryDict("tier=growth&segment=Enterprise"))
    for filterset in (PortfolioFilterSet, RiskFilterSet, OpportunityFilterSet, AuditFilterSet):
        yield filterset(query, request=request).form
        yield filterset(None, request=request).form
    yield NotificationFilterSet(QueryDict("kind=mention"), request=request, queryset=None).form


def _selects(form):
    return [bf for bf in form if isinstance(bf.field.widget, forms.Select)]


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_selects_render_as_the_templates_do(language, admin_user, csm_user):
    # given forms with selects (the filter bars and the edge cases), accounts for the segment list
    AccountFactory(segment="Enterprise", owner=csm_user)
    AccountFactory(segment="SMB & <Mid>")
    request = RequestFactory().get("/")
    request.user = admin_user
    templates = DjangoTemplates()
    compared = 0
    with translation.override(language):
        for form in _forms(request):
            for bound in _selects(form):
                # when it renders through the project's renderer and through Django's templates
                fast = bound.as_widget()
                form.renderer = templates
                slow = bound.as_widget()
                form.renderer = get_default_renderer()
                # then the markup is the same to the character, and Python wrote it
                assert str(fast) == str(slow), bound.html_name
                context = bound.field.widget.get_context(bound.html_name, bound.value(), bound.build_widget_attrs({}))
                assert select_html(context["widget"]) is not None
                compared += 1
    assert compared >= 25


def test_the_project_renders_forms_with_it():
    assert isinstance(get_default_renderer(), FormRenderer)


def test_a_widget_with_its_own_option_template_goes_to_the_templates():
    # given a select whose options have another template
    class Fancy(forms.Select):
        option_template_name = "django/forms/widgets/input_option.html"

    widget = Fancy(choices=[("a", "A")])
    context = widget.get_context("f", "a", {})
    # then the Python writer leaves it to the templates, and the renderer answers what they write
    assert select_html(context["widget"]) is None
    assert widget.render("f", "a", renderer=FormRenderer()) == widget.render("f", "a", renderer=DjangoTemplates())


def test_a_callable_attribute_goes_to_the_templates():
    widget = forms.Select(attrs={"data-x": lambda: "called"}, choices=[("a", "A")])
    assert select_html(widget.get_context("f", "a", {})["widget"]) is None
    assert 'data-x="called"' in widget.render("f", "a", renderer=FormRenderer())
