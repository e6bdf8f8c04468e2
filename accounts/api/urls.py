from django.urls import path
from rest_framework.routers import SimpleRouter

from . import fx_rates, payments, views

app_name = "accounts-api"

router = SimpleRouter(trailing_slash=True)
router.register("accounts", views.AccountViewSet, basename="account")
router.register("contacts", views.ContactViewSet, basename="contact")
router.register("subscriptions", views.SubscriptionViewSet, basename="subscription")
router.register("tickets", views.TicketViewSet, basename="ticket")
router.register("activities", views.ActivityViewSet, basename="activity")
router.register("costs", views.CostEntryViewSet, basename="cost")

urlpatterns = [
    path("fx-rates/", fx_rates.FxRatesView.as_view(), name="fx-rates"),
    path("payments/", payments.PaymentsView.as_view(), name="payments"),
    *router.urls,
]
