from django.urls import path

from . import import_views, stripe_views, views
from .currency import views as fx_views

app_name = "accounts"

urlpatterns = [
    path("accounts/", views.PortfolioView.as_view(), name="portfolio"),
    path("accounts/<int:pk>/", views.AccountDetailView.as_view(), name="detail"),
    path("accounts/fx-rates/", fx_views.FxRateListView.as_view(), name="fx_rates"),
    path("accounts/fx-rates/set/", fx_views.FxRateSetView.as_view(), name="fx_rate_set"),
    path("accounts/fx-rates/upload/", fx_views.FxRateUploadView.as_view(), name="fx_rate_upload"),
    path("accounts/fx-rates/<int:pk>/delete/", fx_views.FxRateDeleteView.as_view(), name="fx_rate_delete"),
    # data in: the Stripe webhook and the CSV import pages (the mapping step: one action per URL)
    path("webhooks/stripe/", stripe_views.stripe_webhook, name="stripe_webhook"),
    path("import/", import_views.ImportListView.as_view(), name="import_list"),
    path("import/<int:pk>/", import_views.ImportDetailView.as_view(), name="import_detail"),
    path("import/<int:pk>/preview/", import_views.ImportPreviewView.as_view(), name="import_preview"),
    path("import/<int:pk>/validate/", import_views.ImportValidateView.as_view(), name="import_validate"),
    path("import/<int:pk>/run/", import_views.ImportRunView.as_view(), name="import_run"),
    path("import/<int:pk>/rejected.csv", import_views.ImportRejectedView.as_view(), name="import_rejected"),
]
