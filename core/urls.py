from django.urls import path

from .views import audit as views_audit
from .views import integrations as views_integrations
from .views import invitations as views_invitations
from .views import profile as views_profile
from .views import users as views

app_name = "core"

urlpatterns = [
    path("me/", views_profile.ProfileView.as_view(), name="profile"),
    path("language/", views_profile.LanguageSwitchView.as_view(), name="language_switch"),
    path("team/users/", views.UserListView.as_view(), name="user_list"),
    # New team members are invited (they choose their own password), never created with one.
    path("team/users/new/", views_invitations.InvitationCreateView.as_view(), name="user_create"),
    path(
        "team/invitations/<int:pk>/resend/", views_invitations.InvitationResendView.as_view(), name="invitation_resend"
    ),
    path(
        "team/invitations/<int:pk>/revoke/", views_invitations.InvitationRevokeView.as_view(), name="invitation_revoke"
    ),
    path("invite/<str:token>/", views_invitations.InvitationAcceptView.as_view(), name="invitation_accept"),
    path("team/users/<int:pk>/", views.UserFormView.as_view(), name="user_edit"),
    path("team/api-keys/", views_integrations.APIKeyListView.as_view(), name="apikey_list"),
    path("team/api-keys/<int:pk>/revoke/", views_integrations.APIKeyRevokeView.as_view(), name="apikey_revoke"),
    path("team/tokens/", views_integrations.PersonalTokenListView.as_view(), name="token_list"),
    path("team/tokens/<int:pk>/revoke/", views_integrations.PersonalTokenRevokeView.as_view(), name="token_revoke"),
    path("team/webhooks/", views_integrations.WebhookListView.as_view(), name="webhook_list"),
    path("team/webhooks/<int:pk>/", views_integrations.WebhookDetailView.as_view(), name="webhook_detail"),
    path("team/audit/", views_audit.AuditLogView.as_view(), name="audit_list"),
]
