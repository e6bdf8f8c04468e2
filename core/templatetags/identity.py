from django import template

from core.identity.login_methods import login_methods as _login_methods

register = template.Library()


@register.simple_tag
def login_methods():
    """The enabled single sign-on buttons for the sign-in page."""
    return _login_methods()
