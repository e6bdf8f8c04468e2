"""Mounted at /scim/v2/ by csplatform/urls.py (the base URL an identity provider is given)."""

from django.urls import path

from . import views

app_name = "scim"

urlpatterns = [
    path("ServiceProviderConfig", views.ServiceProviderConfigView.as_view(), name="service_provider_config"),
    path("ResourceTypes", views.ResourceTypeListView.as_view(), name="resource_type_list"),
    path("ResourceTypes/<str:item_id>", views.ResourceTypeDetailView.as_view(), name="resource_type_detail"),
    path("Schemas", views.SchemaListView.as_view(), name="schema_list"),
    path("Schemas/<str:item_id>", views.SchemaDetailView.as_view(), name="schema_detail"),
    path("Users", views.UserListView.as_view(), name="user_list"),
    path("Users/<str:scim_id>", views.UserDetailView.as_view(), name="user_detail"),
    path("Groups", views.GroupListView.as_view(), name="group_list"),
    path("Groups/<str:scim_id>", views.GroupDetailView.as_view(), name="group_detail"),
    path("<path:rest>", views.NotFoundView.as_view(), name="not_found"),
]
