"""The data-in routes mounted at the root by accounts.urls: Segment-compatible tracking
(/v1/...), the Stripe webhook and the CSV import pages."""

from django.urls import path

from . import import_views, stripe_views
from .api import segment

urlpatterns = [
    path("v1/identify", segment.IdentifyView.as_view(), name="tracking_identify"),
    path("v1/track", segment.TrackView.as_view(), name="tracking_track"),
    path("v1/group", segment.GroupView.as_view(), name="tracking_group"),
    path("v1/page", segment.PageView.as_view(), name="tracking_page"),
    path("v1/screen", segment.ScreenView.as_view(), name="tracking_screen"),
    path("v1/alias", segment.AliasView.as_view(), name="tracking_alias"),
    path("v1/batch", segment.BatchView.as_view(), name="tracking_batch"),
    path("webhooks/stripe/", stripe_views.stripe_webhook, name="stripe_webhook"),
    path("import/", import_views.ImportListView.as_view(), name="import_list"),
    path("import/<int:pk>/", import_views.ImportDetailView.as_view(), name="import_detail"),
    path("import/<int:pk>/rejected.csv", import_views.ImportRejectedView.as_view(), name="import_rejected"),
]
