from django.urls import path

from . import contact_views, edit_views, import_views, reassign_views, stripe_views, views
from .currency import views as fx_views
from .custom_fields import views as custom_fields
from .saved_views import views as saved_views

app_name = "accounts"

urlpatterns = [
    path("accounts/", views.PortfolioView.as_view(), name="portfolio"),
    path("accounts/<int:pk>/", views.AccountDetailView.as_view(), name="detail"),
    # custom fields: the admin's definitions, the account page's in-place edit
    path("accounts/custom-fields/", custom_fields.CustomFieldListView.as_view(), name="custom_field_list"),
    path("accounts/custom-fields/new/", custom_fields.CustomFieldFormView.as_view(), name="custom_field_new"),
    path("accounts/custom-fields/<int:pk>/", custom_fields.CustomFieldFormView.as_view(), name="custom_field_edit"),
    path(
        "accounts/custom-fields/<int:pk>/archive/",
        custom_fields.CustomFieldArchiveView.as_view(),
        name="custom_field_archive",
    ),
    path(
        "accounts/<int:pk>/custom-fields/<slug:key>/",
        custom_fields.AccountCustomFieldView.as_view(),
        name="account_custom_field",
    ),
    path(
        "accounts/<int:pk>/contacts/<int:contact_pk>/custom-fields/<slug:key>/",
        custom_fields.ContactCustomFieldView.as_view(),
        name="contact_custom_field",
    ),
    # saved views (the list builder)
    path("accounts/views/new/", saved_views.SavedViewBuilderView.as_view(), name="view_new"),
    path("accounts/views/<int:pk>/edit/", saved_views.SavedViewBuilderView.as_view(), name="view_edit"),
    path("accounts/views/<int:pk>/delete/", saved_views.SavedViewDeleteView.as_view(), name="view_delete"),
    path("accounts/views/<int:pk>/export.csv", saved_views.SavedViewExportView.as_view(), name="view_export"),
    path("accounts/views/row/", saved_views.SavedViewRowView.as_view(), name="view_row"),
    path("accounts/views/count/", saved_views.SavedViewCountView.as_view(), name="view_count"),
    path("accounts/views/counts/", saved_views.SavedViewCountsView.as_view(), name="view_counts"),
    path("accounts/fx-rates/", fx_views.FxRateListView.as_view(), name="fx_rates"),
    path("accounts/fx-rates/set/", fx_views.FxRateSetView.as_view(), name="fx_rate_set"),
    path("accounts/fx-rates/upload/", fx_views.FxRateUploadView.as_view(), name="fx_rate_upload"),
    path("accounts/fx-rates/<int:pk>/delete/", fx_views.FxRateDeleteView.as_view(), name="fx_rate_delete"),
    # bulk reassignment (accounts.reassign_views)
    path("accounts/reassign/", reassign_views.ReassignStartView.as_view(), name="reassign"),
    path("accounts/reassignments/<int:pk>/", reassign_views.ReassignmentJobView.as_view(), name="reassignment"),
    path(
        "accounts/reassignments/<int:pk>/undo/",
        reassign_views.ReassignmentUndoView.as_view(),
        name="reassignment_undo",
    ),
    path("accounts/<int:pk>/team/", edit_views.TeamAddView.as_view(), name="team_add"),
    path("accounts/<int:pk>/team/<int:member_pk>/remove/", edit_views.TeamRemoveView.as_view(), name="team_remove"),
    # editing in place: one field per URL (accounts.edit_views)
    path("accounts/<int:pk>/fields/<slug:name>/", edit_views.AccountFieldView.as_view(), name="field"),
    path(
        "accounts/<int:pk>/contacts/<int:contact_pk>/fields/",
        edit_views.ContactFieldsView.as_view(),
        name="contact_fields",
    ),
    path(
        "accounts/<int:pk>/contacts/<int:contact_pk>/fields/<slug:name>/",
        edit_views.ContactFieldView.as_view(),
        name="contact_field",
    ),
    path("accounts/contacts/<int:pk>/", contact_views.ContactDetailView.as_view(), name="contact_detail"),
    # data in: the Stripe webhook and the CSV import pages (the mapping step: one action per URL)
    path("webhooks/stripe/", stripe_views.stripe_webhook, name="stripe_webhook"),
    path("import/", import_views.ImportListView.as_view(), name="import_list"),
    path("import/<int:pk>/", import_views.ImportDetailView.as_view(), name="import_detail"),
    path("import/<int:pk>/preview/", import_views.ImportPreviewView.as_view(), name="import_preview"),
    path("import/<int:pk>/validate/", import_views.ImportValidateView.as_view(), name="import_validate"),
    path("import/<int:pk>/run/", import_views.ImportRunView.as_view(), name="import_run"),
    path("import/<int:pk>/rejected.csv", import_views.ImportRejectedView.as_view(), name="import_rejected"),
]
