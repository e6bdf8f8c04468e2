from rest_framework.routers import SimpleRouter

app_name = "reports-api"

router = SimpleRouter(trailing_slash=True)

urlpatterns = [*router.urls]
