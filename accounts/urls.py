from django.urls import path

from . import import_views, ingest_urls, views

app_name = "accounts"

urlpatterns = [
    path("accounts/", views.PortfolioView.as_view(), name="portfolio"),
    path("accounts/<int:pk>/", views.AccountDetailView.as_view(), name="detail"),
    *ingest_urls.urlpatterns,  # /v1/... tracking, /webhooks/stripe/, /import/ (data in)
    # the CSV import's mapping step: one action per URL
    path("import/<int:pk>/preview/", import_views.ImportPreviewView.as_view(), name="import_preview"),
    path("import/<int:pk>/validate/", import_views.ImportValidateView.as_view(), name="import_validate"),
    path("import/<int:pk>/run/", import_views.ImportRunView.as_view(), name="import_run"),
]
