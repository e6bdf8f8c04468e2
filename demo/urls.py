from django.urls import path

from . import views

app_name = "demo"

urlpatterns = [
    # A pretend customer product showing the survey widget (DEBUG only; open it on another origin)
    path("demo-host/", views.demo_host, name="demo_host"),
]
