from rest_framework.routers import SimpleRouter

from .views import EmailTemplateViewSet, PlaybookViewSet, TaskViewSet

app_name = "playbooks-api"

router = SimpleRouter(trailing_slash=True)
router.register("playbooks", PlaybookViewSet, basename="playbook")
router.register("tasks", TaskViewSet, basename="task")
router.register("email-templates", EmailTemplateViewSet, basename="email-template")

urlpatterns = [*router.urls]
