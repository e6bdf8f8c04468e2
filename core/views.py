"""Shared view plumbing: the list-view base every app's list pages configure (STYLE.md §3)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Case, Count, Value, When
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.generic import TemplateView

from .choices import ROLE_RANK
from .permissions import AdminRequiredMixin, RoleRequiredMixin


def htmx_partial(request) -> bool:
    """An htmx request that wants only the fragment (not a boosted full-page navigation)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted


def safe_next(request, default: str, *, referer: bool = False) -> str:
    """Where to go back to after a form: the request's `next` (POST, then GET), or with
    `referer=True` the page it came from, only when it points at this site; else `default`.
    A redirect to a caller-chosen address would send a CSM from a trusted link to any site."""
    candidates = [request.POST.get("next"), request.GET.get("next")]
    if referer:
        candidates.append(request.headers.get("Referer"))
    for target in candidates:
        if target and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return target
    return default


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


# Section: team users (admins)


# admins first, then managers, CSMs, read-only
ROLE_ORDER = Case(*[When(role=role, then=Value(-rank)) for role, rank in ROLE_RANK.items()], default=Value(0)).asc()


class UserListView(AdminRequiredMixin, TemplateView):
    template_name = "core/user_list.html"

    def get_context_data(self, **kwargs):
        from .models import User

        context = super().get_context_data(**kwargs)
        context["users"] = (
            User.objects.select_related("manager")
            .annotate(account_count=Count("accounts"))
            .order_by("-is_active", ROLE_ORDER, "first_name", "username")
        )
        return context


class UserFormView(AdminRequiredMixin, View):
    """Create (no pk) or edit a team member; the form shows every error next to its field."""

    template_name = "core/user_form.html"

    def get_object(self):
        from .models import User

        pk = self.kwargs.get("pk")
        return get_object_or_404(User, pk=pk) if pk else None

    def get(self, request, *args, **kwargs):
        from .forms import UserForm

        user = self.get_object()
        return render(request, self.template_name, {"form": UserForm(instance=user), "object": user})

    def post(self, request, *args, **kwargs):
        from .forms import UserForm
        from .services import user_create, user_update

        user = self.get_object()
        form = UserForm(request.POST, instance=user)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form, "object": user}, status=400)
        data = dict(form.cleaned_data)
        password = data.pop("password", "")
        if user is None:
            is_active = data.pop("is_active", True)
            user = user_create(password=password, **data)
            if not is_active:
                user_update(user=user, is_active=False)
            messages.success(request, f"{user} can now log in as {user.username}.")
        else:
            data.pop("username", None)
            # (the form already copied the new values onto `user`: compare with the logged-in copy)
            if user.pk == request.user.pk and (not data.get("is_active") or data.get("role") != request.user.role):
                form.add_error(None, "You cannot deactivate yourself or change your own role.")
                return render(request, self.template_name, {"form": form, "object": user}, status=400)
            user_update(user=user, password=password or None, **data)
            messages.success(request, f"Saved {user}.")
        return redirect("core:user_list")
