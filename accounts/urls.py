from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("accounts/", views.PortfolioView.as_view(), name="portfolio"),
    path("accounts/<int:pk>/", views.AccountDetailView.as_view(), name="detail"),
]
