from django.urls import path

from .views import connections as connection_views
from .views import inbound
from .views import meetings as meeting_views

app_name = "conversations"

urlpatterns = [
    # inbound e-mail (h7)
    path("inbound/email/<str:token>/", inbound.InboundView.as_view(), name="inbound_email"),
    path("inbound/email/<str:token>/sendgrid/", inbound.SendGridView.as_view(), name="inbound_sendgrid"),
    path("inbound/email/<str:token>/mailgun/mime", inbound.MailgunView.as_view(), name="inbound_mailgun"),
    path("inbound/email/<str:token>/postmark/", inbound.PostmarkView.as_view(), name="inbound_postmark"),
    # connected mailboxes and calendars, meetings (h8: conversations.calendars, mailsync)
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
