"""The e-mail review queue: messages no rule could place, and the three bulk actions on them
(one URL each): assign to an account, make the senders contacts of an account, ignore."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View

from accounts.selectors import account_search
from core.permissions import RoleRequiredMixin
from core.views import ObjectListView, safe_next

from ..email.review import review_account_resolve, review_assign, review_contacts_create, review_ignore
from ..selectors import review_queue

TEMPLATE = "conversations/review_queue.html"


class ReviewQueueView(ObjectListView):
    template_name = TEMPLATE
    partial_name = "results"
    paginate_by = 50

    def get_queryset(self):
        return review_queue(q=self.request.GET.get("q", ""))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["q"] = self.request.GET.get("q", "")
        context["can_edit"] = self.request.user.has_role(self.edit_role)
        return context


class ReviewAccountsView(RoleRequiredMixin, View):
    """GET: the account picker's choices (`<option>`s of a datalist)."""

    def get(self, request):
        found = account_search(user=request.user, q=request.GET.get("account", ""), limit=10)
        return render(request, f"{TEMPLATE}#account_options", {"accounts": found})


class _ReviewAction(ReviewQueueView):
    """POST the ticked `message_ids` (and `account`): the service, then back to the queue with a
    message; a refused action re-renders the queue with the reason at the bulk bar (400)."""

    http_method_names = ["post"]
    needs_account = True

    def post(self, request):
        ids = [i for i in request.POST.getlist("message_ids") if i.isdigit()]
        try:
            account = review_account_resolve(value=request.POST.get("account", "")) if self.needs_account else None
            if not ids:
                raise ValidationError({"messages": _("Tick at least one message.")})
            text = self.perform(ids, account)
        except ValidationError as exc:
            context = self.get_context_data(
                bulk_error=" ".join(exc.messages), account_value=request.POST.get("account", "")
            )
            return render(request, TEMPLATE, context, status=400)
        messages.success(request, text)
        return redirect(safe_next(request, reverse("conversations:review")))

    def perform(self, ids, account) -> str:
        raise NotImplementedError


class ReviewAssignView(_ReviewAction):
    def perform(self, ids, account):
        n = review_assign(message_ids=ids, account=account, user=self.request.user)
        return ngettext(
            "%(n)d message is now on %(account)s's timeline.", "%(n)d messages are now on %(account)s's timeline.", n
        ) % {"n": n, "account": account.name}


class ReviewContactsView(_ReviewAction):
    def perform(self, ids, account):
        created, assigned = review_contacts_create(message_ids=ids, account=account, user=self.request.user)
        return _("%(created)d contacts added to %(account)s; %(assigned)d messages are on its timeline.") % {
            "created": created,
            "assigned": assigned,
            "account": account.name,
        }


class ReviewIgnoreView(_ReviewAction):
    needs_account = False

    def perform(self, ids, account):
        n = review_ignore(message_ids=ids, user=self.request.user)
        return ngettext("%(n)d message ignored.", "%(n)d messages ignored.", n) % {"n": n}
