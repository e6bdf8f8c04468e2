import pytest
from django.test import Client

from core.identity import login_methods as registry

pytestmark = pytest.mark.django_db


@pytest.fixture
def clean_registry(monkeypatch):
    monkeypatch.setattr(registry, "_METHODS", {})
    return registry


def test_enabled_methods_show_as_buttons_with_next(clean_registry):
    clean_registry.register_login_method("a", "Sign in with Alpha", "password_reset", order=2)
    clean_registry.register_login_method("b", "Sign in with Beta", "password_reset", order=1)
    clean_registry.register_login_method("c", "Sign in with Off", "password_reset", enabled=lambda: False)
    html = Client().get("/login/?next=/portfolio/").content.decode()
    assert html.index("Sign in with Beta") < html.index("Sign in with Alpha")
    assert "Sign in with Off" not in html
    assert 'href="/password-reset/?next=/portfolio/"' in html
    assert "or with a password" in html


def test_no_methods_no_buttons(clean_registry):
    html = Client().get("/login/").content.decode()
    assert "data-login-method" not in html and "or with a password" not in html
