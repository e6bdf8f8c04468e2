from django.urls import path

from . import views

app_name = "connectors"

urlpatterns = [
    path("connectors/", views.ConnectionListView.as_view(), name="list"),
    path("connectors/new/", views.ConnectionCreateView.as_view(), name="create"),
    path("connectors/oauth/callback/", views.OAuthCallbackView.as_view(), name="oauth_callback"),
    path("connectors/<int:pk>/", views.ConnectionDetailView.as_view(), name="detail"),
    path("connectors/<int:pk>/oauth/", views.OAuthStartView.as_view(), name="oauth_start"),
    path("connectors/<int:pk>/sync/", views.SyncStartView.as_view(), name="sync"),
    path("connectors/<int:pk>/mappings/<slug:object_key>/", views.MappingView.as_view(), name="mapping"),
    path("connectors/runs/<int:pk>/", views.RunDetailView.as_view(), name="run"),
    path("connectors/runs/<int:pk>/retry/", views.RunRetryView.as_view(), name="run_retry"),
]
