"""Browser pages of the accounts floor: the portfolio and the account 360 page (htmx)."""

from django.db.models import F
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from core.csv_export import csv_response
from core.permissions import RoleRequiredMixin
from core.views import ObjectListView, htmx_partial

from .access import account_can_write, account_write_check
from .choices import TeamRole
from .contact_rows import contact_rows_html
from .currency import base_currency, subscription_missing_rates
from .custom_fields import CustomFieldType, custom_field_definitions, custom_field_order
from .editing import account_field_rows, owner_choices
from .filters import PortfolioFilterSet
from .forms import ActivityForm
from .models import BASE_ARR_SORT, Account
from .panels import account_context_for, panels_for
from .reassign_views import ReassignForm
from .saved_views import SavedView, saved_view_accounts, saved_view_can_edit, saved_view_get, saved_views_visible
from .selectors import (
    account_children,
    account_contacts,
    account_detail_get,
    account_rollup,
    account_subscriptions,
    account_support_summary,
    account_team,
    account_timeline,
    cadence_by_tier,
    portfolio_accounts,
    portfolio_members,
    portfolio_rollup,
    portfolio_summary,
    touch_status,
)
from .services import activity_create
from .timeline import TimelineFilter, TimelineFilterForm, timeline_authors

TIMELINE_PAGE = 8


class PortfolioView(ObjectListView):
    """Every account the user may see: search, filters, sorts, KPIs of the filtered set."""

    filterset_class = PortfolioFilterSet
    template_name = "accounts/account_portfolio.html"
    partial_name = "results"  # a {% partialdef %} of the page
    paginate_by = 50
    default_ordering = "arr"
    ordering_options = {
        "arr": [BASE_ARR_SORT, "id"],
        "renewal": [F("renewal_date").asc(nulls_last=True), "id"],
        "health": [F("health_score").asc(nulls_last=True), "id"],
        "name": ["name", "id"],
        "touch": [F("last_touch_at").asc(nulls_first=True), "id"],
    }
    sort_labels = {
        "arr": gettext_lazy("ARR"),
        "renewal": gettext_lazy("Renewal date"),
        "health": gettext_lazy("Health (worst first)"),
        "name": gettext_lazy("Name"),
        "touch": gettext_lazy("Last touch (oldest first)"),
    }

    def get_queryset(self):
        queryset = portfolio_accounts(user=self.request.user)
        view = self.active_view
        if view is not None:
            queryset = saved_view_accounts(definition=view.definition, user=self.request.user, queryset=queryset)
        return queryset

    @cached_property
    def active_view(self) -> SavedView | None:
        """The saved view in `?view=<id>` (one the user may see), else None."""
        pk = self.request.GET.get("view", "")
        if not pk.isdigit():
            return None
        try:
            return saved_view_get(user=self.request.user, pk=int(pk))
        except SavedView.DoesNotExist:
            return None

    @cached_property
    def custom_sorts(self) -> dict:
        """`cf.<key>` sorts for each filterable account custom field (highest first for numbers)."""
        sorts = {}
        for definition in custom_field_definitions(entity="account"):
            if definition.filterable and definition.field_type != CustomFieldType.MULTI_CHOICE:
                descending = definition.field_type in (CustomFieldType.NUMBER, CustomFieldType.MONEY)
                sorts[f"cf.{definition.key}"] = (definition, descending)
        return sorts

    def get_ordering(self) -> str:
        requested = self.request.GET.get("sort", "")
        return requested if requested in self.custom_sorts else super().get_ordering()

    @property
    def rolled_up(self) -> bool:
        return self.request.GET.get("rollup") == "parents"

    def get_filterset(self, queryset):
        filterset = super().get_filterset(queryset)
        if self.rolled_up:
            # One row per top parent, its subsidiaries' ARR added (the filters apply to the parents).
            filterset._qs = portfolio_rollup(filterset.qs)
        return filterset

    def apply_ordering(self, queryset, ordering: str):
        if self.rolled_up and ordering == "arr":
            return queryset.order_by(F("rollup_mrr_base").desc(), "id")
        if ordering in self.custom_sorts:
            definition, descending = self.custom_sorts[ordering]
            return queryset.order_by(custom_field_order(definition, descending=descending), "id")
        return super().apply_ordering(queryset, ordering)

    def get(self, request, *args, **kwargs):
        if request.GET.get("export") == "csv":
            return self.export_csv()
        return super().get(request, *args, **kwargs)

    def export_csv(self):
        """The filtered portfolio as CSV (`?export=csv` with the page's filters and sort): the
        accounts the user may read (accounts.access), streamed from one query."""
        queryset = self.get_filterset(self.get_queryset()).qs
        queryset = self.apply_ordering(queryset, self.get_ordering())
        headers = [
            _("External id"),
            _("Name"),
            _("Owner"),
            _("Tier"),
            _("Segment"),
            _("Stage"),
            _("ARR"),
            _("Currency"),
        ]
        headers += [_("Renewal date"), _("Health score"), _("Health band")]
        rows = (
            [
                a.external_id,
                a.name,
                a.owner.username if a.owner else "",
                a.tier,
                a.segment,
                a.lifecycle_stage,
                a.arr,
                a.currency,
                a.renewal_date.isoformat() if a.renewal_date else "",
                a.health_score,
                a.health_band,
            ]
            for a in queryset.iterator(chunk_size=2000)
        )
        return csv_response(filename=f"portfolio-{timezone.now():%Y-%m-%d}.csv", headers=headers, rows=rows)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        cadence = cadence_by_tier()
        now = timezone.now()
        for account in context["object_list"]:
            account.touch = touch_status(account, cadence, now=now)
        filtered = context["filterset"].qs if context["filterset"] is not None else self.get_queryset()
        summary = portfolio_summary(portfolio_members(filtered) if self.rolled_up else filtered)
        if summary["unconverted"]:
            summary["missing_rates"] = subscription_missing_rates(days=[now.date()])
        can_reassign = self.request.user.can_work_accounts
        sort_labels = dict(self.sort_labels)
        sort_labels.update({key: definition.label for key, (definition, _desc) in self.custom_sorts.items()})
        views = list(saved_views_visible(user=self.request.user))
        active = self.active_view
        context.update(
            rolled_up=self.rolled_up,
            base_currency=base_currency(),
            summary=summary,
            can_reassign=can_reassign,
            reassign_form=ReassignForm() if can_reassign else None,
            sort_labels=sort_labels,
            active_filters=sum(1 for k, v in self.request.GET.items() if v and k not in ("sort", "page", "view")),
            saved_views=views,
            active_view=active,
            active_view_editable=active is not None and saved_view_can_edit(user=self.request.user, view=active),
        )
        return context


class AccountDetailView(RoleRequiredMixin, TemplateView):
    """The account 360: header KPIs, usage, timeline with "add note", contacts, subscriptions,
    and the panels the floors above register (accounts.panels). GET with `before` (htmx) returns
    older timeline entries; POST adds a note/call/meeting/email (CSM and above)."""

    template_name = "accounts/account_detail.html"

    def get_account(self) -> Account:
        try:
            return account_detail_get(pk=self.kwargs["pk"], user=self.request.user)
        except Account.DoesNotExist as exc:
            raise Http404("No such account.") from exc

    def get(self, request, *args, **kwargs):
        account = self.get_account()
        filter_form = TimelineFilterForm(request.GET)
        filter_ok = filter_form.is_valid()
        timeline_filter = filter_form.filter() if filter_ok else TimelineFilter()
        if htmx_partial(request) and ("before" in request.GET or "timeline" in request.GET):
            # the timeline's filter bar and "Show older entries": only the entries
            context = {"account": account, "activities": [], "has_more": False}
            if not filter_ok:
                context["timeline_error"] = filter_form.error_text()
                return render(request, "accounts/partials/timeline_items.html", context, status=400)
            before = request.GET.get("before", "")
            if before and not before.isdigit():
                context["timeline_error"] = _("before must be an activity id")
                return render(request, "accounts/partials/timeline_items.html", context, status=400)
            items, more = account_timeline(
                account=account, before_id=int(before) if before else None, limit=TIMELINE_PAGE, filters=timeline_filter
            )
            context.update(
                activities=items,
                has_more=more,
                timeline_query=timeline_filter.querystring(),
                timeline_filtered=not timeline_filter.is_empty,
            )
            return render(request, "accounts/partials/timeline_items.html", context)
        context = self.get_context_data(account=account, filter_form=filter_form, timeline_filter=timeline_filter)
        return self.render_to_response(context, status=200 if filter_ok else 400)

    def post(self, request, *args, **kwargs):
        account = self.get_account()
        account_write_check(request.user, account)
        form = ActivityForm(request.POST, account=account)
        if form.is_valid():
            activity_create(
                account=account,
                kind=form.cleaned_data["kind"],
                author=request.user,
                subject=form.cleaned_data["subject"],
                body=form.cleaned_data["body"],
                contact=form.cleaned_data["contact"],
            )
            if not htmx_partial(request):
                return redirect("accounts:detail", pk=account.pk)
            form = ActivityForm(account=account)
        elif not htmx_partial(request):
            return self.render_to_response(self.get_context_data(account=account, form=form), status=400)
        # htmx: the timeline card comes back with the new entry on top (or the form with its errors;
        # 200 because htmx does not swap error responses)
        items, more = account_timeline(account=account, limit=TIMELINE_PAGE)
        return render(
            request,
            "accounts/partials/timeline.html",
            {
                "account": account,
                "activities": items,
                "has_more": more,
                "form": form,
                "can_edit": True,
                "filter_form": TimelineFilterForm(),
                "timeline_authors": timeline_authors(account_id=account.pk),
            },
        )

    def get_context_data(
        self,
        *,
        account: Account,
        form: ActivityForm | None = None,
        filter_form: TimelineFilterForm | None = None,
        timeline_filter: TimelineFilter | None = None,
        **kwargs,
    ):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        contacts, contact_total = account_contacts(account=account)
        can_edit = account_can_write(user, account)
        cadence = cadence_by_tier()
        timeline_filter = timeline_filter or TimelineFilter()
        activities, more = account_timeline(account=account, limit=TIMELINE_PAGE, filters=timeline_filter)
        context.update(
            account=account,
            touch=touch_status(account, cadence),
            touch_every=cadence.get(account.tier),
            contacts=contacts,
            contact_total=contact_total,
            contact_rows=contact_rows_html(contacts, account_pk=account.pk, can_edit=can_edit),
            subscriptions=account_subscriptions(account=account),
            support=account_support_summary(account=account),
            activities=activities,
            has_more=more,
            form=form or ActivityForm(account=account),
            can_edit=can_edit,
            panels=panels_for(self.request, account),
            filter_form=filter_form or TimelineFilterForm(),
            timeline_authors=timeline_authors(account_id=account.pk),
            timeline_query=timeline_filter.querystring(),
            timeline_filtered=not timeline_filter.is_empty,
        )
        context.update(base_currency=base_currency(), missing_rates=[])
        if account.mrr and account.mrr_base is None:
            today = timezone.now().date()
            context["missing_rates"] = subscription_missing_rates(
                days=[today], accounts=Account.objects.filter(pk=account.pk)
            )
        if account.children_count:
            context.update(children=account_children(account=account), rollup=account_rollup(account=account))
        context["field_rows"] = [
            {"row": row, "url": reverse("accounts:field", args=[account.pk, row.name])}
            for row in account_field_rows(account)
        ]
        context["account_team"] = account_team(account_id=account.pk)
        if context["can_edit"]:
            context["team_user_choices"] = owner_choices()
            context["team_role_choices"] = TeamRole.choices
        context.update(account_context_for(account))  # usage KPI and chart (usage registers them)
        return context
