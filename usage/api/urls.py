from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

app_name = "usage-api"

router = SimpleRouter(trailing_slash=True)
router.register("events", views.UsageEventViewSet, basename="event")

urlpatterns = [
    # Before the router, or "events/bulk/" would be read as the event with id "bulk".
    path("events/bulk", views.EventBulkView.as_view(), name="event-bulk"),
    path("events/bulk/", views.EventBulkSlashView.as_view()),
    *router.urls,
]
