from django.urls import path

from .views import connections as connection_views
from .views import meetings as meeting_views

app_name = "conversations"

urlpatterns = [
    # Section: connected mailboxes and calendars, meetings (conversations.calendars, mailsync)
    path("conversations/connected/", connection_views.ConnectedAccountsView.as_view(), name="connected"),
    path("conversations/connect/<str:provider>/", connection_views.OAuthStartView.as_view(), name="oauth_start"),
    path("conversations/oauth/callback/", connection_views.OAuthCallbackView.as_view(), name="oauth_callback"),
    path("conversations/connect-caldav/", connection_views.CalDAVConnectView.as_view(), name="caldav_connect"),
    path(
        "conversations/connected/<int:pk>/sync/", connection_views.ConnectionSyncView.as_view(), name="connection_sync"
    ),
    path(
        "conversations/connected/<int:pk>/disconnect/",
        connection_views.ConnectionDisconnectView.as_view(),
        name="connection_disconnect",
    ),
    path("conversations/meetings/<int:pk>/prep/", meeting_views.MeetingPrepView.as_view(), name="meeting_prep"),
]
