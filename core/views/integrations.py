"""Admin pages for integrations: API keys (/team/api-keys/) and outbound webhooks
(/team/webhooks/). Admins only, for reading too (keys and secrets are configuration). And every
user's own personal API tokens (/team/tokens/)."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Count, Max, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from core.forms_integrations import APIKeyForm, WebhookEndpointForm
from core.models import APIKey, WebhookDelivery, WebhookEndpoint
from core.permissions import AdminRequiredMixin
from core.services import api_key_create, api_key_revoke, api_token_create
from core.views.toolkit import htmx_partial
from core.webhooks import (
    WEBHOOK_EVENTS,
    webhook_delivery_retry,
    webhook_endpoint_create,
    webhook_endpoint_update,
    webhook_ping,
)

DELIVERIES_SHOWN = 50


# Section: API keys


class APIKeyListView(AdminRequiredMixin, View):
    """List, create (the key is shown once, on the answer to the POST) and revoke."""

    template_name = "core/apikey_list.html"

    def render_page(self, request, form, new_key=None, status=200):
        keys = APIKey.objects.select_related("created_by").order_by("revoked_at", "-created_at")
        context = {
            "keys": keys,
            "form": form,
            "new_key": new_key,
            # What an identity provider is given with a SCIM key (core.identity.scim).
            "scim_base_url": request.build_absolute_uri(reverse("scim:user_list")).removesuffix("Users"),
        }
        return render(request, self.template_name, context, status=status)

    def get(self, request):
        return self.render_page(request, APIKeyForm())

    def post(self, request):
        form = APIKeyForm(request.POST)
        if not form.is_valid():
            return self.render_page(request, form, status=400)
        key, raw = api_key_create(
            name=form.cleaned_data["name"], scope=form.cleaned_data["scope"], created_by=request.user
        )
        return self.render_page(request, APIKeyForm(), new_key={"key": key, "raw": raw})


class APIKeyRevokeView(AdminRequiredMixin, View):
    def post(self, request, pk: int):
        key = get_object_or_404(APIKey, pk=pk)
        api_key_revoke(key=key)
        messages.success(request, _("Revoked “%(name)s”: it no longer authenticates.") % {"name": key.name})
        return redirect("core:apikey_list")


# Section: webhooks


class WebhookListView(AdminRequiredMixin, View):
    template_name = "core/webhook_list.html"

    def render_page(self, request, form, status=200):
        endpoints = WebhookEndpoint.objects.annotate(
            delivered=Count("deliveries", filter=Q(deliveries__status=WebhookDelivery.Status.DELIVERED)),
            failing=Count(
                "deliveries",
                filter=Q(deliveries__status__in=[WebhookDelivery.Status.FAILED, WebhookDelivery.Status.RETRYING]),
            ),
            last_at=Max("deliveries__created_at"),
        ).order_by("url")
        recent = WebhookDelivery.objects.select_related("endpoint").order_by("-created_at", "-id")[:DELIVERIES_SHOWN]
        context = {"endpoints": endpoints, "form": form, "deliveries": recent, "events": WEBHOOK_EVENTS}
        if htmx_partial(request):
            return render(request, "core/partials/webhook_deliveries.html", context)
        return render(request, self.template_name, context, status=status)

    def get(self, request):
        return self.render_page(request, WebhookEndpointForm(initial={"is_active": True}))

    def post(self, request):
        form = WebhookEndpointForm(request.POST)
        if not form.is_valid():
            return self.render_page(request, form, status=400)
        data = form.cleaned_data
        endpoint = webhook_endpoint_create(
            url=data["url"],
            events=data["events"],
            secret=data["secret"],
            description=data["description"],
            created_by=request.user,
        )
        if not data["is_active"]:
            webhook_endpoint_update(
                endpoint=endpoint,
                url=endpoint.url,
                events=endpoint.events,
                description=endpoint.description,
                is_active=False,
            )
        messages.success(
            request, _("Registered %(url)s. Its signing secret is shown on its page.") % {"url": endpoint.url}
        )
        return redirect("core:webhook_detail", pk=endpoint.pk)


class WebhookDetailView(AdminRequiredMixin, View):
    """One endpoint: edit it, see its secret and its delivery log, retry or send a test ping."""

    template_name = "core/webhook_detail.html"

    def render_page(self, request, endpoint, form, status=200):
        deliveries = endpoint.deliveries.order_by("-created_at", "-id")[:DELIVERIES_SHOWN]
        context = {"endpoint": endpoint, "form": form, "deliveries": deliveries, "show_endpoint": False}
        if htmx_partial(request):
            return render(request, "core/partials/webhook_deliveries.html", context)
        return render(request, self.template_name, context, status=status)

    def get(self, request, pk: int):
        endpoint = get_object_or_404(WebhookEndpoint, pk=pk)
        form = WebhookEndpointForm(
            initial={
                "url": endpoint.url,
                "events": endpoint.events,
                "description": endpoint.description,
                "is_active": endpoint.is_active,
            }
        )
        return self.render_page(request, endpoint, form)

    def post(self, request, pk: int):
        endpoint = get_object_or_404(WebhookEndpoint, pk=pk)
        action = request.POST.get("action", "save")
        if action == "ping":
            webhook_ping(endpoint=endpoint)
            messages.success(request, _("Test delivery sent; see the log below."))
            return redirect("core:webhook_detail", pk=endpoint.pk)
        if action == "retry":
            delivery = get_object_or_404(WebhookDelivery, pk=request.POST.get("delivery"), endpoint=endpoint)
            webhook_delivery_retry(delivery=delivery)
            messages.success(request, _("Delivery #%(number)s retried.") % {"number": delivery.pk})
            return redirect("core:webhook_detail", pk=endpoint.pk)
        if action == "delete":
            endpoint.delete()
            messages.success(request, _("Removed %(url)s.") % {"url": endpoint.url})
            return redirect("core:webhook_list")
        form = WebhookEndpointForm(request.POST)
        if not form.is_valid():
            return self.render_page(request, endpoint, form, status=400)
        data = form.cleaned_data
        webhook_endpoint_update(
            endpoint=endpoint,
            url=data["url"],
            events=data["events"],
            description=data["description"],
            is_active=data["is_active"],
            secret=data["secret"],
        )
        messages.success(request, _("Saved."))
        return redirect("core:webhook_detail", pk=endpoint.pk)


# Section: personal API tokens (every user, their own)


class PersonalTokenListView(LoginRequiredMixin, View):
    """/team/tokens/: the signed-in user's personal API tokens. A token acts as its user (role
    and book) on the API; it is shown once, on the answer to the POST that creates it."""

    template_name = "core/token_list.html"

    def render_page(self, request, *, new_key=None, error: str = "", status: int = 200):
        tokens = APIKey.objects.filter(user=request.user).order_by("revoked_at", "-created_at")
        context = {"tokens": tokens, "new_key": new_key, "error": error}
        return render(request, self.template_name, context, status=status)

    def get(self, request):
        return self.render_page(request)

    def post(self, request):
        name = (request.POST.get("name") or "").strip()
        if not name or len(name) > 120:
            return self.render_page(request, error=_("Give the token a name (at most 120 characters)."), status=400)
        key, raw = api_token_create(user=request.user, name=name)
        return self.render_page(request, new_key={"key": key, "raw": raw})


class PersonalTokenRevokeView(LoginRequiredMixin, View):
    def post(self, request, pk: int):
        key = get_object_or_404(APIKey, pk=pk, user=request.user)
        api_key_revoke(key=key)
        messages.success(request, _("Revoked “%(name)s”: it no longer authenticates.") % {"name": key.name})
        return redirect("core:token_list")
