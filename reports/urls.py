from django.urls import path
from django.views.generic import RedirectView

app_name = "reports"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="accounts:portfolio"), name="home"),
]
