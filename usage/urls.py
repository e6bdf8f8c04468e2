"""Segment-compatible tracking (/v1/...) and the person page's event pages (/usage/...), at the root."""

from django.urls import path

from . import views
from .api import segment

app_name = "usage"

urlpatterns = [
    path("v1/identify", segment.IdentifyView.as_view(), name="tracking_identify"),
    path("v1/track", segment.TrackView.as_view(), name="tracking_track"),
    path("v1/group", segment.GroupView.as_view(), name="tracking_group"),
    path("v1/page", segment.PageView.as_view(), name="tracking_page"),
    path("v1/screen", segment.ScreenView.as_view(), name="tracking_screen"),
    path("v1/alias", segment.AliasView.as_view(), name="tracking_alias"),
    path("v1/batch", segment.BatchView.as_view(), name="tracking_batch"),
    # the person page's event list, next pages
    path("usage/contacts/<int:pk>/events/", views.ContactEventsView.as_view(), name="contact_events"),
]
