from .slack.urls import urlpatterns as slack_urlpatterns

app_name = "conversations"

urlpatterns = [
    *slack_urlpatterns,  # Slack and Teams (conversations/slack/)
]
