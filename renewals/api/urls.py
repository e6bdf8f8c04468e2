from django.urls import path  # noqa: F401
from rest_framework.routers import SimpleRouter

from .risks import RiskViewSet

app_name = "renewals-api"

urlpatterns: list = []

# risks and reasons
risks_router = SimpleRouter(trailing_slash=True)
risks_router.register("risks", RiskViewSet, basename="risk")
urlpatterns += risks_router.urls
