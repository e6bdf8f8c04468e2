from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import BacktestView, HealthScoreViewSet

app_name = "health-api"

router = SimpleRouter(trailing_slash=True)
router.register("health/scores", HealthScoreViewSet, basename="score")

urlpatterns = [*router.urls, path("health/backtest/", BacktestView.as_view(), name="backtest-list")]
