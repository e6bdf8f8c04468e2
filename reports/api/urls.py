from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import MetricsView

app_name = "reports-api"

router = SimpleRouter(trailing_slash=True)

urlpatterns = [
    path("metrics/", MetricsView.as_view(), name="metrics"),
    *router.urls,
]
