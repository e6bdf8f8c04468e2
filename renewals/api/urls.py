from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import ForecastView, OpportunityViewSet

app_name = "renewals-api"

# opportunities and forecast
router = SimpleRouter(trailing_slash=True)
router.register("opportunities", OpportunityViewSet, basename="opportunity")

urlpatterns: list = [
    path("renewals/forecast/", ForecastView.as_view(), name="forecast"),
    *router.urls,
]
