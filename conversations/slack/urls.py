from django.urls import path

from . import views

urlpatterns = [
    path("slack/commands/", views.slack_command, name="slack_command"),
    path("slack/interactivity/", views.slack_interactivity, name="slack_interactivity"),
    path("settings/slack/", views.SlackPageView.as_view(), name="slack"),
    path("settings/slack/app/", views.SlackSettingsSaveView.as_view(), name="slack_settings_save"),
    path("settings/slack/link/", views.SlackLinkView.as_view(), name="slack_link"),
    path("settings/slack/unlink/", views.SlackUnlinkView.as_view(), name="slack_unlink"),
    path("settings/slack/choices/", views.SlackChoicesView.as_view(), name="slack_choices"),
    path("settings/slack/teams/", views.TeamsWebhookCreateView.as_view(), name="teams_create"),
    path("settings/slack/teams/<int:pk>/delete/", views.TeamsWebhookDeleteView.as_view(), name="teams_delete"),
]
