"""Browser pages of the notifications floor: the feed page (filters, "mark all read"), the
header's bell (count and dropdown, loaded with htmx so no page pays a query for them), opening
one notification, and each user's settings (e-mail per kind, language, time zone).

Marking one's own notifications read and choosing one's e-mails change nothing but the user's
own feed, so every role may do them (read-only users included)."""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from core.choices import Role
from core.permissions import RoleRequiredMixin
from core.views import ActionView, ObjectListView, ServiceFormView, safe_next

from .choices import DIGEST_PREFERENCE, NotificationKind
from .filters import NotificationFilterSet
from .forms import NotificationSettingsForm
from .models import Notification
from .selectors import notification_feed, notification_preferences, notifications_latest, unread_count
from .services import notification_mark_read, notification_preferences_set, notifications_mark_all_read

FEED = "notifications/notification_list.html"


class FeedView(ObjectListView):
    filterset_class = NotificationFilterSet
    template_name = FEED
    partial_name = "results"
    paginate_by = 30

    def get_queryset(self):
        return notification_feed(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["unread"] = unread_count(user=self.request.user)
        return context


class BellView(RoleRequiredMixin, View):
    """GET: the bell's unread count (`?part=count`, polled) or the dropdown's list."""

    def get(self, request):
        if request.GET.get("part") == "count":
            return render(request, f"{FEED}#bell_count", {"unread": unread_count(user=request.user)})
        context = {"items": notifications_latest(user=request.user), "unread": unread_count(user=request.user)}
        return render(request, f"{FEED}#dropdown", context)


class OpenView(RoleRequiredMixin, View):
    """POST: mark one notification read and go to what it is about."""

    http_method_names = ["post"]
    edit_role = Role.READONLY

    def post(self, request, pk: int):
        try:
            notification = notification_mark_read(user=request.user, notification_id=pk)
        except Notification.DoesNotExist as exc:
            raise Http404(_("No such notification.")) from exc
        return redirect(safe_next(request, notification.url or reverse("notifications:feed")))


class MarkAllReadView(ActionView):
    edit_role = Role.READONLY
    trigger = "notifications-changed"  # htmx: 204, the feed and the bell reload themselves

    def perform(self, obj):
        kind = self.request.POST.get("kind") or None
        if kind is not None and kind not in NotificationKind.values:
            raise ValidationError({"kind": _("Unknown kind.")})
        notifications_mark_all_read(user=self.request.user, kind=kind)
        return

    def get_success_url(self, obj) -> str:
        return reverse("notifications:feed")


class SettingsView(ServiceFormView):
    form_class = NotificationSettingsForm
    template_name = "notifications/notification_settings.html"
    edit_role = Role.READONLY

    def get_form_kwargs(self):
        user = self.request.user
        prefs = notification_preferences(user=user)
        return {
            "initial": {
                "email_kinds": [kind for kind, on in prefs.items() if on and kind != DIGEST_PREFERENCE],
                "digest": prefs[DIGEST_PREFERENCE],
                "language": user.language,
                "timezone": user.timezone or "UTC",
            }
        }

    def perform(self, form):
        notification_preferences_set(
            user=self.request.user,
            email_kinds=form.cleaned_data["email_kinds"],
            digest=form.cleaned_data["digest"],
            language=form.cleaned_data["language"],
            timezone_name=form.cleaned_data["timezone"],
        )
        return self.request.user

    def get_success_message(self, obj) -> str:
        return _("Your notification settings are saved.")

    def get_success_url(self, obj) -> str:
        return reverse("notifications:settings")
