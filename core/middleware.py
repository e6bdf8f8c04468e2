from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequiredMiddleware


class LoginRequiredMiddleware(DjangoLoginRequiredMiddleware):
    """Every page needs a login unless its view says `@login_not_required`.

    DRF views are let through: they authenticate themselves (API keys, sessions) and answer
    401/403 as JSON instead of redirecting a machine to a login page."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        view_class = getattr(view_func, "cls", None)
        if view_class is not None and getattr(view_class, "authentication_classes", None) is not None:
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)
