from django.urls import path

from . import views

app_name = "core"

urlpatterns = [
    path("team/users/", views.UserListView.as_view(), name="user_list"),
    path("team/users/new/", views.UserFormView.as_view(), name="user_create"),
    path("team/users/<int:pk>/", views.UserFormView.as_view(), name="user_edit"),
]
