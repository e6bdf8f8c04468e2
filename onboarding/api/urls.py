from rest_framework.routers import SimpleRouter

app_name = "onboarding-api"

router = SimpleRouter(trailing_slash=True)

urlpatterns = [*router.urls]
