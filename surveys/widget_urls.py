"""The embedded widget's public endpoints, mounted at /widget/ ahead of every other route in
csplatform/urls.py: they take the customers' traffic, so a request is routed on its first
prefix check instead of after every app's pages (bench_surveys)."""

from django.urls import path

from .views import widget

app_name = "widget"

urlpatterns = [
    path("v1.js", widget.widget_script, name="script"),
    path("<str:key>/eligibility/", widget.eligibility, name="eligibility"),
    path("<str:key>/answer/", widget.answer, name="answer"),
    path("<str:key>/dismiss/", widget.dismiss, name="dismiss"),
]
