"""Small pages built from the view toolkit, for tests/core/views/test_toolkit.py (their templates
live in that module, on a locmem loader)."""

from django import forms
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.urls import path

from core.models import User
from core.views import ActionView, ObjectListView, ServiceFormView


class UserListView(ObjectListView):
    queryset = User.objects.all()
    template_name = "toolkit/user_list.html"
    partial_name = "results"
    paginate_by = 2
    ordering_options = {"name": "username", "-name": "-username"}
    default_ordering = "name"


class RenameForm(forms.Form):
    username = forms.CharField(max_length=150)


def user_rename(*, user: User, username: str) -> User:
    """The service the form view calls: its rule lives here, not in the form."""
    if username.startswith("root"):
        raise ValidationError({"username": "That name is reserved."})
    if username == "everyone":
        raise ValidationError("Not now.")
    user.username = username
    user.save(update_fields=["username"])
    return user


class UserRenameView(ServiceFormView):
    form_class = RenameForm
    template_name = "toolkit/user_form.html"
    partial_name = "form"
    success_message = "Renamed."

    def get_object(self):
        return get_object_or_404(User, pk=self.kwargs["pk"])

    def perform(self, form):
        return user_rename(user=self.object, username=form.cleaned_data["username"])

    def get_success_url(self, obj) -> str:
        return f"/done/{obj.pk}/"


class UserDeactivateView(ActionView):
    template_name = "toolkit/user_list.html#row"
    trigger = "users-changed"

    def get_object(self):
        return get_object_or_404(User, pk=self.kwargs["pk"])

    def perform(self, obj):
        if obj.username == "keep":
            raise ValidationError("This one stays.")
        obj.is_active = False
        obj.save(update_fields=["is_active"])
        return {"note": "deactivated"}

    def get_success_url(self, obj) -> str:
        return "/users/"


urlpatterns = [
    path("users/", UserListView.as_view(), name="user_list"),
    path("users/<int:pk>/rename/", UserRenameView.as_view(), name="user_rename"),
    path("users/<int:pk>/deactivate/", UserDeactivateView.as_view(), name="user_deactivate"),
]
