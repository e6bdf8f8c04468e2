"""The view toolkit every app's browser pages are built from (STYLE.md §3, NetBox's
`netbox/views/generic`): a page is configuration, the work is a service, the read a selector.

- `ObjectListView`: a list page (filters, sort, paging); an htmx request gets the results
  fragment only. The fragment is a `{% partialdef %}` in the page's own template, so the
  markup exists once: `template_name = "app/thing_list.html"`, `partial_name = "results"`.
- `ServiceFormView`: GET shows the form, POST validates it and calls `perform()` (a service);
  a `ValidationError` from the service lands on the form (its field, or the top), status 400.
- `ActionView`: one action per URL (`POST /tasks/<pk>/snooze/`): calls `perform()`, answers an
  htmx request with the re-rendered fragment and an `HX-Trigger` for counts elsewhere on the
  page, a plain POST with a redirect back (a checked `next`).
- `htmx_partial()`, `safe_next()`, `partial()`: the small pieces the three share.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.generic import TemplateView

from core.permissions import RoleRequiredMixin

__all__ = [
    "ActionView",
    "ObjectListView",
    "ServiceFormView",
    "apply_validation_error",
    "htmx_partial",
    "partial",
    "safe_next",
    "with_trigger",
]


def htmx_partial(request: HttpRequest) -> bool:
    """An htmx request that wants only the fragment (not a boosted full-page navigation)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted


def partial(template_name: str, name: str) -> str:
    """The name Django 6 loads one `{% partialdef name %}` of a template by."""
    return f"{template_name}#{name}" if name else template_name


def safe_next(request: HttpRequest, default: str, *, referer: bool = False) -> str:
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


def with_trigger(response: HttpResponse, trigger: str | list[str] | dict | None) -> HttpResponse:
    """Add htmx events (`HX-Trigger`) to a response: a name, several names, or {name: detail}."""
    if not trigger:
        return response
    if isinstance(trigger, str):
        trigger = [trigger]
    if isinstance(trigger, list):
        trigger = dict.fromkeys(trigger, True)
    existing = response.headers.get("HX-Trigger")
    if existing:
        try:
            merged = json.loads(existing)
        except ValueError:
            merged = {name.strip(): True for name in existing.split(",")}
        trigger = {**merged, **trigger}
    response["HX-Trigger"] = json.dumps(trigger)
    return response


def apply_validation_error(form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form: each message on its field when the form
    has that field, else at the top of the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            target = field if field in form.fields else None
            for error in errors:
                form.add_error(target, error)
    else:
        for message in exc.messages:
            form.add_error(None, message)


# Section: list pages


class ObjectListView(RoleRequiredMixin, TemplateView):
    """A list page as configuration: queryset + filterset + ordering + the page template.

    The results fragment is `partial_name` inside `template_name` (a `{% partialdef %}`). An htmx
    request (search box, filter, sort, page link) gets only the fragment.
    """

    queryset = None
    filterset_class = None
    template_name: str = ""
    partial_name: str = ""
    paginate_by = 50
    ordering_options: dict[str, Any] = {}
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
        if htmx_partial(self.request) and self.partial_name:
            return [partial(self.template_name, self.partial_name)]
        return [self.template_name]


# Section: forms that call a service


class ServiceFormView(RoleRequiredMixin, View):
    """Create or edit through a service.

    Set `form_class` and `template_name`; override `perform(form)` to call the service (it
    returns the object written) and `get_success_url(obj)`. `get_object()` returns the object
    edited (None to create). Errors, from the form or the service, re-render the form with
    status 400 where the user acted; an htmx request gets `partial_name` of the template.
    """

    form_class = None
    template_name: str = ""
    partial_name: str = ""
    success_message: str = ""

    def get_object(self):
        return None

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = {}
        obj = getattr(self, "object", None)
        if obj is not None and hasattr(self.form_class, "_meta"):
            kwargs["instance"] = obj
        return kwargs

    def get_form(self, data=None, files=None):
        return (
            self.form_class(data, files, **self.get_form_kwargs())
            if data is not None
            else self.form_class(**self.get_form_kwargs())
        )

    def get_context_data(self, **kwargs) -> dict[str, Any]:
        return {"object": getattr(self, "object", None), "view": self, **kwargs}

    def perform(self, form):
        raise NotImplementedError

    def get_success_url(self, obj) -> str:
        raise NotImplementedError

    def get_success_message(self, obj) -> str:
        return self.success_message

    def render_form(self, form, *, status: int = 200) -> HttpResponse:
        name = partial(self.template_name, self.partial_name) if htmx_partial(self.request) else self.template_name
        return render(self.request, name, self.get_context_data(form=form), status=status)

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return self.render_form(self.get_form())

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        form = self.get_form(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_form(form, status=400)
        try:
            obj = self.perform(form)
        except ValidationError as exc:
            apply_validation_error(form, exc)
            return self.render_form(form, status=400)
        message = self.get_success_message(obj)
        if message:
            messages.success(request, message)
        target = safe_next(request, self.get_success_url(obj))
        if htmx_partial(request):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = target
            return response
        return redirect(target)


# Section: one action per URL


class ActionView(RoleRequiredMixin, View):
    """POST → service → re-rendered fragment.

    Override `perform(obj)` (the service call; returns extra context or None) and
    `get_object()`. An htmx request gets `template_name` (usually "page.html#row") rendered
    with `object` and the context, plus `HX-Trigger: trigger`; a plain form POST is redirected
    to a checked `next` (or the Referer, or `get_success_url(obj)`). A ValidationError from the
    service answers 400 with its message (the page's htmx error handler shows it where the user
    clicked).
    """

    http_method_names = ["post"]
    template_name: str = ""
    trigger: str | list[str] | dict | None = None
    success_message: str = ""

    def get_object(self):
        return None

    def perform(self, obj) -> dict[str, Any] | None:
        raise NotImplementedError

    def get_success_url(self, obj) -> str:
        return "/"

    def get_context_data(self, obj, **kwargs) -> dict[str, Any]:
        return {"object": obj, **kwargs}

    def post(self, request, *args, **kwargs):
        obj = self.get_object()
        try:
            extra = self.perform(obj) or {}
        except ValidationError as exc:
            return HttpResponse(" ".join(exc.messages), status=400, content_type="text/plain; charset=utf-8")
        if htmx_partial(request):
            if self.template_name:
                response = render(request, self.template_name, self.get_context_data(obj, **extra))
            else:
                response = HttpResponse(status=204)
            return with_trigger(response, self.trigger)
        if self.success_message:
            messages.success(request, self.success_message)
        return redirect(safe_next(request, self.get_success_url(obj), referer=True))
