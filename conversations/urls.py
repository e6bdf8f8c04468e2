from django.urls import path

from .views import compose, email_settings, inbound, review

app_name = "conversations"

urlpatterns = [
    # inbound e-mail (h7)
    path("inbound/email/<str:token>/", inbound.InboundView.as_view(), name="inbound_email"),
    path("inbound/email/<str:token>/sendgrid/", inbound.SendGridView.as_view(), name="inbound_sendgrid"),
    path("inbound/email/<str:token>/mailgun/mime", inbound.MailgunView.as_view(), name="inbound_mailgun"),
    path("inbound/email/<str:token>/postmark/", inbound.PostmarkView.as_view(), name="inbound_postmark"),
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
]
