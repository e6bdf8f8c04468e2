"""Django's `static` template library with `{% static %}` that looks each path up once per
process (the floor every page pays, issue 23). Settings map the library name `static` here
(TEMPLATES OPTIONS "libraries"), so `{% load static %}` in every template gets this tag.

With DEBUG off the static files are served by WhiteNoise's manifest storage, whose URL for a
path is fixed by the manifest it read when it was made: asking it again built the same string
through the manifest lookup, `urljoin` and `quote` (~90 Python calls a tag, six tags in
base.html). The URLs are kept on the storage object itself, so a storage made afresh (a test
that changes STATIC_URL or STORAGES resets it) starts with none; with DEBUG on nothing is kept.
"""

from __future__ import annotations

from django import template
from django.conf import settings
from django.templatetags import static as django_static

register = template.Library()
register.tags.update(django_static.register.tags)
register.filters.update(django_static.register.filters)

_KEPT = "_pulse_static_urls"


def static_url(path: str) -> str:
    """The static URL of `path`, as `django.templatetags.static.static` gives it."""
    if settings.DEBUG:
        return django_static.StaticNode.handle_simple(path)
    from django.contrib.staticfiles.storage import staticfiles_storage

    kept = getattr(staticfiles_storage._wrapped, _KEPT, None)  # `empty` before the storage is made
    url = kept.get(path) if kept is not None else None
    if url is None:
        url = django_static.StaticNode.handle_simple(path)  # makes the storage if it was not yet
        staticfiles_storage._wrapped.__dict__.setdefault(_KEPT, {})[path] = url
    return url


class StaticNode(django_static.StaticNode):
    def url(self, context):
        return static_url(self.path.resolve(context))


@register.tag("static")
def do_static(parser, token):
    return StaticNode.handle_token(parser, token)
