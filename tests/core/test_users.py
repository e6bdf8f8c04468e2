import pytest
from django.urls import reverse

from core.choices import Role
from core.services import user_create, user_update
from tests.factories import AccountFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_user_list_shows_roles_managers_and_account_counts(admin_client, csm_user, django_assert_max_num_queries):
    AccountFactory.create_batch(3, owner=csm_user)
    UserFactory.create_batch(20)
    with django_assert_max_num_queries(8):
        response = admin_client.get(reverse("core:user_list"))
    html = response.content.decode()
    assert response.status_code == 200
    row = next(u for u in response.context["users"] if u.pk == csm_user.pk)
    assert row.account_count == 3 and "Mia Manager" in html


def test_edit_user_role_manager_active_and_keep_password(admin_client, csm_user, manager_user):
    admin_client.get(reverse("core:user_edit", args=[csm_user.pk]))  # the page that holds the form, as a browser has it
    response = admin_client.post(
        reverse("core:user_edit", args=[csm_user.pk]),
        {"email": csm_user.email, "role": Role.READONLY, "manager": "", "first_name": "Carla", "password": ""},
    )
    csm_user.refresh_from_db()
    assert response.status_code == 302
    assert (csm_user.role, csm_user.manager, csm_user.is_active, csm_user.first_name) == (
        Role.READONLY,
        None,
        False,
        "Carla",
    )
    assert csm_user.check_password("pass1234!")


def test_admin_cannot_demote_or_deactivate_themselves(admin_client, admin_user):
    admin_client.get(
        reverse("core:user_edit", args=[admin_user.pk])
    )  # the page that holds the form, as a browser has it
    response = admin_client.post(
        reverse("core:user_edit", args=[admin_user.pk]),
        {"email": admin_user.email, "role": Role.CSM, "is_active": "on"},
    )
    admin_user.refresh_from_db()
    assert response.status_code == 400 and admin_user.role == Role.ADMIN


def test_user_services_validate():
    with pytest.raises(Exception, match="too short"):
        user_create(username="a", password="x1", role=Role.CSM)
    user = user_create(username="b", password="Quiet-harbor-42", role=Role.CSM, email="b@example.com")
    with pytest.raises(ValueError, match="cannot change"):
        user_update(user=user, username="c")
    with pytest.raises(ValueError, match="own manager"):
        user_update(user=user, manager=user)
