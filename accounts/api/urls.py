from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

app_name = "accounts-api"

router = SimpleRouter(trailing_slash=True)
router.register("accounts", views.AccountViewSet, basename="account")
router.register("contacts", views.ContactViewSet, basename="contact")
router.register("subscriptions", views.SubscriptionViewSet, basename="subscription")
router.register("events", views.UsageEventViewSet, basename="event")
router.register("tickets", views.TicketViewSet, basename="ticket")
router.register("activities", views.ActivityViewSet, basename="activity")
router.register("costs", views.CostEntryViewSet, basename="cost")

urlpatterns = [
    # Before the router, or "events/bulk/" would be read as the event with id "bulk".
    path("events/bulk", views.EventBulkView.as_view(), name="event-bulk"),
    path("events/bulk/", views.EventBulkSlashView.as_view()),
    *router.urls,
]
