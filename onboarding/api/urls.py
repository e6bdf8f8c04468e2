from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

app_name = "onboarding-api"

router = SimpleRouter(trailing_slash=True)
router.register("success/maps", views.SuccessMapViewSet, basename="success-map")
router.register("success/plans", views.SuccessPlanViewSet, basename="success-plan")
router.register("success/checklists", views.AccountChecklistViewSet, basename="checklist")

urlpatterns = [
    path("success/ttfv/", views.TTFVView.as_view(), name="ttfv"),
    *router.urls,
]
