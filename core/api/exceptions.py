from rest_framework.exceptions import ValidationError
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    """DRF's handler; errors other than validation get a machine-readable `code` too.
    Validation errors keep DRF's shape: each bad field with its reasons."""
    response = drf_exception_handler(exc, context)
    if response is None or isinstance(exc, ValidationError) or not isinstance(response.data, dict):
        return response
    if "code" not in response.data:
        codes = exc.get_codes() if hasattr(exc, "get_codes") else "error"
        response.data = {"code": codes if isinstance(codes, str) else "error", "message": str(exc), **response.data}
    return response
