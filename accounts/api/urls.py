from rest_framework.routers import SimpleRouter

from . import saved_views, views

app_name = "accounts-api"

router = SimpleRouter(trailing_slash=True)
router.register("accounts", views.AccountViewSet, basename="account")
router.register("contacts", views.ContactViewSet, basename="contact")
router.register("subscriptions", views.SubscriptionViewSet, basename="subscription")
router.register("tickets", views.TicketViewSet, basename="ticket")
router.register("activities", views.ActivityViewSet, basename="activity")
router.register("costs", views.CostEntryViewSet, basename="cost")
router.register("views", saved_views.SavedViewViewSet, basename="saved-view")

urlpatterns = router.urls
