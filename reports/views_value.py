"""Value report pages (QBR / EBR): an account's reports and a new one, one report (preview in
any language, edit, headings per language, links for the customer), its PDF; and the customer's
page and PDF behind a signed, revocable, expiring link (no login), in the link's language."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django.views.generic import TemplateView

from accounts.models import Account
from core.choices import Role
from core.languages import language_is_bidi, supported_language
from core.permissions import RoleRequiredMixin
from core.signed_links import SignedLinkGone, SignedLinkInvalid, signed_link_load
from core.views import ServiceFormView

from . import services_value as services
from .forms_value import HeadingsForm, LinkForm, ValueReportEditForm, ValueReportForm
from .models import ValueReport, ValueReportLink
from .pdf import html_to_pdf
from .value import CHART_H, CHART_W, section_headings, value_figures, value_reports_of

__all__ = [
    "ValueLinkCreateView",
    "ValueLinkRevokeView",
    "ValueReportCreateView",
    "ValueReportHeadingsView",
    "ValueReportListView",
    "ValueReportPdfView",
    "ValueReportView",
    "value_shared",
    "value_shared_pdf",
]

T = "reports/value/"


def document_context(report: ValueReport, language: str) -> dict:
    """What the document template needs, in `language` (figures read now)."""
    return {
        "report": report,
        "figures": value_figures(account=report.account, start=report.start, end=report.end),
        "headings": section_headings(report, language),
        "language": language,
        "rtl": language_is_bidi(language),
        "last_day": report.end - timedelta(days=1),
        "chart_w": CHART_W,
        "chart_h": CHART_H,
        # strings: a localised float ("48,0" in Arabic) is not an SVG number
        "band_green_y": f"{CHART_H - 0.7 * CHART_H:.1f}",
        "band_red_y": f"{CHART_H - 0.4 * CHART_H:.1f}",
    }


def report_pdf(report: ValueReport, language: str) -> HttpResponse:
    with translation.override(language):
        html = render_to_string(T + "pdf.html", document_context(report, language))
    pdf = html_to_pdf(html, stylesheet="css/value_report.css")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="value-report-{report.pk}-{language}.pdf"'
    return response


def _language(request) -> str:
    return supported_language(request.GET.get("lang"), translation.get_language())


# Section: staff pages


class ValueReportListView(ServiceFormView):
    form_class = ValueReportForm
    template_name = T + "report_list.html"

    def account(self) -> Account:
        return get_object_or_404(Account, pk=self.kwargs["account_id"])

    def get_form(self, data=None, files=None):
        form = super().get_form(data, files)
        if data is None:
            today = timezone.now().date()
            form.initial.update(
                title=_("Business review, %(quarter)s") % {"quarter": f"{today:%Y}-Q{(today.month - 1) // 3 + 1}"},
                start=today - timedelta(days=90),
                end=today + timedelta(days=1),
            )
        return form

    def get_context_data(self, **kwargs):
        account = self.account()
        return super().get_context_data(
            account=account,
            reports=value_reports_of(account=account),
            can_edit=self.request.user.has_role(Role.CSM),
            **kwargs,
        )

    def perform(self, form):
        return services.value_report_create(user=self.request.user, account=self.account(), **form.cleaned_data)

    def get_success_url(self, obj) -> str:
        return reverse("reports:value_report", args=[obj.pk])


class ValueReportCreateView(ValueReportListView):
    http_method_names = ["post"]


class ValueReportView(ServiceFormView):
    """The report as the customer will see it (in `?lang=`), with its edit forms."""

    form_class = ValueReportEditForm
    template_name = T + "report.html"

    def get_object(self):
        return get_object_or_404(ValueReport.objects.select_related("account"), pk=self.kwargs["pk"])

    def get_form(self, data=None, files=None):
        form = ValueReportEditForm(data)
        if data is None:
            r = self.object
            form.initial.update(title=r.title, start=r.start, end=r.end, outcomes=r.outcomes)
        return form

    def get_context_data(self, **kwargs):
        report, language = self.object, _language(self.request)
        custom = (report.headings or {}).get(language, {})
        links = [
            {
                "link": link,
                "usable": link.is_usable(),
                "url": self.request.build_absolute_uri(
                    reverse("reports:value_shared", args=[services.value_report_link_token(link)])
                ),
            }
            for link in report.links.all()
        ]
        with translation.override(language):
            doc = document_context(report, language)
        return super().get_context_data(
            **doc,
            languages=dict(settings.LANGUAGES),
            language_name=dict(settings.LANGUAGES).get(language, language),
            headings_form=kwargs.pop("headings_form", None) or HeadingsForm(initial=custom),
            link_form=kwargs.pop("link_form", None) or LinkForm(initial={"language": language}),
            links=links,
            can_edit=self.request.user.has_role(Role.CSM),
            **kwargs,
        )

    def perform(self, form):
        return services.value_report_update(user=self.request.user, report=self.object, **form.cleaned_data)

    def get_success_url(self, obj) -> str:
        return reverse("reports:value_report", args=[obj.pk]) + f"?lang={_language(self.request)}"


class ValueReportHeadingsView(ValueReportView):
    http_method_names = ["post"]

    def get_form(self, data=None, files=None):
        return HeadingsForm(data) if data is not None else super().get_form()

    def render_form(self, form, *, status: int = 200):
        context = self.get_context_data(form=ValueReportView.get_form(self), headings_form=form)
        return render(self.request, self.template_name, context, status=status)

    def perform(self, form):
        return services.value_report_headings_set(
            user=self.request.user, report=self.object, language=_language(self.request), headings=form.cleaned_data
        )


class ValueLinkCreateView(ValueReportView):
    http_method_names = ["post"]

    def get_form(self, data=None, files=None):
        return LinkForm(data) if data is not None else super().get_form()

    def render_form(self, form, *, status: int = 200):
        context = self.get_context_data(form=ValueReportView.get_form(self), link_form=form)
        return render(self.request, self.template_name, context, status=status)

    def perform(self, form):
        services.value_report_link_create(user=self.request.user, report=self.object, **form.cleaned_data)
        return self.object

    def get_success_url(self, obj) -> str:
        return reverse("reports:value_report", args=[obj.pk]) + "#value-links"


class ValueLinkRevokeView(RoleRequiredMixin, TemplateView):
    http_method_names = ["post"]

    def post(self, request, pk: int):
        link = get_object_or_404(ValueReportLink, pk=pk)
        services.value_report_link_revoke(user=request.user, link=link)
        return redirect(reverse("reports:value_report", args=[link.report_id]) + "#value-links")


class ValueReportPdfView(RoleRequiredMixin, TemplateView):
    def get(self, request, pk: int):
        report = get_object_or_404(ValueReport.objects.select_related("account"), pk=pk)
        return report_pdf(report, _language(request))


# Section: the customer's link (no login)


def _link_or_error(request, token: str):
    try:
        link = signed_link_load(
            token, queryset=ValueReportLink.objects.select_related("report__account"), salt=services.VALUE_LINK_SALT
        )
    except SignedLinkInvalid:
        return None, _link_error(request, "invalid", 404)
    except SignedLinkGone as gone:
        return None, _link_error(request, gone.reason, 410)
    return link, None


def _link_error(request, reason: str, status: int):
    language = supported_language(request.GET.get("lang"))
    with translation.override(language):
        titles = {
            "invalid": (_("Link not found"), _("This link is not valid. Check that you copied all of it.")),
            "revoked": (_("This link was turned off"), _("Ask your customer success manager for a new one.")),
            "expired": (_("This link has expired"), _("Ask your customer success manager for a new one.")),
        }
        title, message = titles[reason]
        return render(
            request,
            T + "shared_error.html",
            {"title": title, "message": message, "language": language, "rtl": language_is_bidi(language)},
            status=status,
        )


@login_not_required
@require_GET
def value_shared(request, token: str):
    """The report for the customer, in the link's language (or `?lang=`); 404 / 410 pages."""
    link, error = _link_or_error(request, token)
    if error is not None:
        return error
    language = supported_language(request.GET.get("lang"), link.language)
    services.value_report_link_viewed(link=link)
    with translation.override(language):
        context = document_context(link.report, language)
        context.update(
            link=link,
            languages=dict(settings.LANGUAGES),
            pdf_url=reverse("reports:value_shared_pdf", args=[token]) + f"?lang={language}",
        )
        response = render(request, T + "shared.html", context)
    response["Cache-Control"] = "private, no-store"
    return response


@login_not_required
@require_GET
def value_shared_pdf(request, token: str):
    link, error = _link_or_error(request, token)
    if error is not None:
        return error
    language = supported_language(request.GET.get("lang"), link.language)
    response = report_pdf(link.report, language)
    response["Cache-Control"] = "private, no-store"
    return response
