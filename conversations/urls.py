from django.urls import path

from .views import inbound

app_name = "conversations"

urlpatterns = [
    # inbound e-mail (h7)
    path("inbound/email/<str:token>/", inbound.InboundView.as_view(), name="inbound_email"),
    path("inbound/email/<str:token>/sendgrid/", inbound.SendGridView.as_view(), name="inbound_sendgrid"),
    path("inbound/email/<str:token>/mailgun/mime", inbound.MailgunView.as_view(), name="inbound_mailgun"),
    path("inbound/email/<str:token>/postmark/", inbound.PostmarkView.as_view(), name="inbound_postmark"),
]
