from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("notifications/", views.FeedView.as_view(), name="feed"),
    path("notifications/bell/", views.BellView.as_view(), name="bell"),
    path("notifications/read-all/", views.MarkAllReadView.as_view(), name="read_all"),
    path("notifications/<int:pk>/open/", views.OpenView.as_view(), name="open"),
    path("notifications/settings/", views.SettingsView.as_view(), name="settings"),
]
