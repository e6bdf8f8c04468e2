from django.urls import path

from . import ingest_urls, views

app_name = "accounts"

urlpatterns = [
    path("accounts/", views.PortfolioView.as_view(), name="portfolio"),
    path("accounts/<int:pk>/", views.AccountDetailView.as_view(), name="detail"),
    *ingest_urls.urlpatterns,  # /v1/... tracking, /webhooks/stripe/, /import/ (data in)
]
