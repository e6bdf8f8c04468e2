from django.urls import path
from rest_framework.routers import SimpleRouter

from .risks import RiskViewSet
from .views import ForecastView, OpportunityViewSet

app_name = "renewals-api"

router = SimpleRouter(trailing_slash=True)
# opportunities and forecast
router.register("opportunities", OpportunityViewSet, basename="opportunity")
# risks and reasons
router.register("risks", RiskViewSet, basename="risk")

urlpatterns: list = [
    path("renewals/forecast/", ForecastView.as_view(), name="forecast"),
    *router.urls,
]
