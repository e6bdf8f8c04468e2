from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.utils.translation import gettext as _
from rest_framework import pagination, status
from rest_framework.exceptions import APIException, NotFound, ValidationError

BIGINT = 2**63


class InvalidCursor(APIException):
    """400 {"code": "invalid_cursor", "message", "field": "cursor"}: a cursor we did not make."""

    status_code = status.HTTP_400_BAD_REQUEST

    def __init__(self, reason: str | None = None):
        reason = reason or _("invalid cursor")
        super().__init__("invalid_cursor")
        self.detail = {
            "code": "invalid_cursor",
            "message": _("Invalid cursor: use the `next` or `previous` link of a page."),
            "field": "cursor",
            "errors": [{"field": "cursor", "reason": reason}],
        }


class CursorPagination(pagination.CursorPagination):
    """Stable pages over millions of rows: keyset on the primary key, not OFFSET.

    A cursor is opaque but not signed: one that does not decode, or whose position is not a
    value of the ordering field, is a 400 (not DRF's 404, and never a database error)."""

    ordering = "-id"
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000

    def get_page_size(self, request):
        """page_size, when sent, is a whole number from 1 to max_page_size (a 400 otherwise,
        not DRF's silent fallback to the default: the schema says what is allowed)."""
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if not 1 <= size <= self.max_page_size:
            reason = _("must be a whole number from 1 to %(max)d") % {"max": self.max_page_size}
            raise ValidationError({self.page_size_query_param: [reason]})
        return size

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update({"minimum": 1, "maximum": self.max_page_size})
        return parameters

    def paginate_queryset(self, queryset, request, view=None):
        self._model = queryset.model
        return super().paginate_queryset(queryset, request, view)

    def decode_cursor(self, request):
        try:
            cursor = super().decode_cursor(request)
        except NotFound as exc:
            raise InvalidCursor() from exc
        if cursor is None or cursor.position is None:
            return cursor
        self._check_position(cursor.position)
        return cursor

    def _check_position(self, position: str) -> None:
        ordering = self.ordering if isinstance(self.ordering, str) else self.ordering[0]
        model = getattr(self, "_model", None)
        if model is None:
            return
        try:
            field = model._meta.get_field(ordering.lstrip("-"))
        except FieldDoesNotExist:
            return
        if "\x00" in position:
            raise InvalidCursor()
        try:
            value = field.to_python(position)
        except DjangoValidationError as exc:
            raise InvalidCursor() from exc
        if isinstance(field, models.IntegerField | models.ForeignKey) and not -BIGINT <= int(value) < BIGINT:
            raise InvalidCursor()
