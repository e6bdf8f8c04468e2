from django.urls import path

from .slack.urls import urlpatterns as slack_urlpatterns
from .views import compose, email_settings, inbound, review
from .views import connections as connection_views
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
        "conversations/connected/<int:pk>/mail/",
        connection_views.ConnectionMailToggleView.as_view(),
        name="connection_mail",
    ),
    path(
        "conversations/connected/<int:pk>/calendar/",
        connection_views.ConnectionCalendarToggleView.as_view(),
        name="connection_calendar",
    ),
    path(
        "conversations/connected/<int:pk>/disconnect/",
        connection_views.ConnectionDisconnectView.as_view(),
        name="connection_disconnect",
    ),
    path("conversations/meetings/<int:pk>/prep/", meeting_views.MeetingPrepView.as_view(), name="meeting_prep"),
    path("conversations/review/", review.ReviewQueueView.as_view(), name="review"),
    path("conversations/review/accounts/", review.ReviewAccountsView.as_view(), name="review_accounts"),
    path("conversations/review/assign/", review.ReviewAssignView.as_view(), name="review_assign"),
    path("conversations/review/contacts/", review.ReviewContactsView.as_view(), name="review_contacts"),
    path("conversations/review/ignore/", review.ReviewIgnoreView.as_view(), name="review_ignore"),
    path("conversations/email/settings/", email_settings.EmailSettingsView.as_view(), name="email_settings"),
    path("conversations/email/settings/rotate/", email_settings.TokenRotateView.as_view(), name="email_rotate"),
    path("conversations/email/imap/", email_settings.ImapMailboxCreateView.as_view(), name="imap_create"),
    path(
        "conversations/email/imap/<int:pk>/delete/", email_settings.ImapMailboxDeleteView.as_view(), name="imap_delete"
    ),
    path("conversations/email/imap/<int:pk>/poll/", email_settings.ImapMailboxPollView.as_view(), name="imap_poll"),
    path("conversations/compose/<int:pk>/", compose.ComposeView.as_view(), name="compose"),
    path("t/o/<str:token>.gif", compose.TrackOpenView.as_view(), name="track_open"),
    path("t/c/<str:token>/", compose.TrackClickView.as_view(), name="track_click"),
    *slack_urlpatterns,  # Slack and Teams (conversations/slack/)
]
