from rest_framework.routers import SimpleRouter

from .views import BacktestViewSet, HealthScoreViewSet

app_name = "health-api"

router = SimpleRouter(trailing_slash=True)
router.register("health/scores", HealthScoreViewSet, basename="score")
router.register("health/backtest", BacktestViewSet, basename="backtest")

urlpatterns = [*router.urls]
