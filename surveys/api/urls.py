from rest_framework.routers import SimpleRouter

from . import views

app_name = "surveys-api"

router = SimpleRouter(trailing_slash=True)
router.register("survey-responses", views.SurveyResponseViewSet, basename="survey-response")

urlpatterns = [*router.urls]
