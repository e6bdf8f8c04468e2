from django.urls import NoReverseMatch, reverse

from .navigation import NAV_BADGES, NAV_ITEMS


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    path = request.path
    sections: dict[str, list[dict]] = {}
    for item in NAV_ITEMS:
        if not user.has_role(item.role):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        badge_fn = NAV_BADGES.get(item.url_name)
        sections.setdefault(item.section, []).append(
            {
                "label": item.label,
                "url": url,
                "icon": item.icon,
                "active": path == url or (url != "/" and path.startswith(url)),
                "badge": badge_fn(request) if badge_fn else None,
            }
        )
    return {"nav_sections": sections}
