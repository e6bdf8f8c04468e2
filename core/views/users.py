"""Team users (admins): the list and the create / edit form."""

from django.contrib import messages
from django.db.models import Case, Count, Value, When
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from core.choices import ROLE_RANK
from core.permissions import AdminRequiredMixin

# Section: team users (admins)


# admins first, then managers, CSMs, read-only
ROLE_ORDER = Case(*[When(role=role, then=Value(-rank)) for role, rank in ROLE_RANK.items()], default=Value(0)).asc()


class UserListView(AdminRequiredMixin, TemplateView):
    template_name = "core/user_list.html"

    def get_context_data(self, **kwargs):
        from core.models import User

        context = super().get_context_data(**kwargs)
        from core.models import Invitation

        context["invitations"] = list(
            Invitation.objects.filter(accepted_at__isnull=True, revoked_at__isnull=True).select_related("invited_by")
        )
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
        from core.models import User

        pk = self.kwargs.get("pk")
        return get_object_or_404(User, pk=pk) if pk else None

    def get(self, request, *args, **kwargs):
        from core.forms import UserForm

        user = self.get_object()
        return render(request, self.template_name, {"form": UserForm(instance=user), "object": user})

    def post(self, request, *args, **kwargs):
        from core.forms import UserForm
        from core.services import user_create, user_update

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
            messages.success(
                request, _("%(name)s can now log in as %(username)s.") % {"name": user, "username": user.username}
            )
        else:
            data.pop("username", None)
            # (the form already copied the new values onto `user`: compare with the logged-in copy)
            if user.pk == request.user.pk and (not data.get("is_active") or data.get("role") != request.user.role):
                form.add_error(None, _("You cannot deactivate yourself or change your own role."))
                return render(request, self.template_name, {"form": form, "object": user}, status=400)
            user_update(user=user, password=password or None, **data)
            messages.success(request, _("Saved %(name)s.") % {"name": user})
        return redirect("core:user_list")
