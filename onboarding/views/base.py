"""What the onboarding pages' actions share: a service's ValidationError shown where the user
acted (a message on a plain page, the error inside an htmx panel)."""

from django.contrib import messages
from django.core.exceptions import ValidationError

from core.views import ActionView, htmx_partial

__all__ = ["PageActionView", "as_int", "validation_message"]


def validation_message(exc: ValidationError) -> str:
    """One line naming each field and its reasons ("title: A goal needs a title.")."""
    if hasattr(exc, "message_dict"):
        return "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
    return " ".join(exc.messages)


def as_int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class PageActionView(ActionView):
    """An `ActionView` posted by a plain form of a page: override `act(obj)` (the service
    call). A ValidationError from it goes back to the page as an error message (the toolkit
    answers an htmx request with 400 and the message)."""

    def act(self, obj):
        raise NotImplementedError

    def perform(self, obj):
        try:
            return self.act(obj)
        except ValidationError as exc:
            if htmx_partial(self.request):
                raise
            messages.error(self.request, validation_message(exc))
            self.success_message = ""
            return None
