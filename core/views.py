"""Shared view plumbing: the list-view base every app's list pages configure (STYLE.md §3)."""

from django.core.paginator import Paginator
from django.views.generic import TemplateView

from .permissions import RoleRequiredMixin


def htmx_partial(request) -> bool:
    """An htmx request that wants only the fragment (not a boosted full-page navigation)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted


class FilteredListView(RoleRequiredMixin, TemplateView):
    """A list page as configuration: queryset + filterset + page template + partial.

    The full page includes `partial_template_name`; an htmx request (search box, filter,
    sort, page link) gets only the partial.
    """

    queryset = None
    filterset_class = None
    template_name: str = ""
    partial_template_name: str = ""
    paginate_by = 50
    ordering_options: dict[str, str] = {}
    default_ordering: str = ""

    def get_queryset(self):
        return self.queryset.all()

    def get_ordering(self) -> str:
        requested = self.request.GET.get("sort", "")
        return requested if requested in self.ordering_options else self.default_ordering

    def apply_ordering(self, queryset, ordering: str):
        """`ordering_options` values are "field,-field" strings or lists of expressions
        (e.g. `F("renewal_date").asc(nulls_last=True)`)."""
        spec = self.ordering_options[ordering]
        return queryset.order_by(*(spec.split(",") if isinstance(spec, str) else spec))

    def get_filterset(self, queryset):
        return self.filterset_class(self.request.GET or None, queryset=queryset, request=self.request)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        queryset = self.get_queryset()
        filterset = None
        if self.filterset_class is not None:
            filterset = self.get_filterset(queryset)
            queryset = filterset.qs
        ordering = self.get_ordering()
        if ordering:
            queryset = self.apply_ordering(queryset, ordering)
        paginator = Paginator(queryset, self.paginate_by)
        page = paginator.get_page(self.request.GET.get("page"))
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            filterset=filterset,
            filter_form=filterset.form if filterset is not None else None,
            page_obj=page,
            object_list=page.object_list,
            sort=ordering,
            querystring=query.urlencode(),
        )
        return context

    def get_template_names(self):
        if htmx_partial(self.request) and self.partial_template_name:
            return [self.partial_template_name]
        return [self.template_name]
