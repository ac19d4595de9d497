"""One error shape for the whole API: HTTP status plus per-field messages.

400: {"field": ["message", ...], ...}; 409 / 403: {"detail": "message"}.
"""
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from lims.lifecycle import TransitionError
from lims.services import PermissionDeniedError, ReasonRequiredError
from maturity.errors import InputError

_TRANSITION_STATUS = {"conflict": status.HTTP_409_CONFLICT, "forbidden": status.HTTP_403_FORBIDDEN,
                      "invalid": status.HTTP_400_BAD_REQUEST}


def exception_handler(exc, context):
    if isinstance(exc, InputError):
        return Response(exc.errors, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, TransitionError):
        code = _TRANSITION_STATUS[exc.code]
        body = {exc.field: [exc.message]} if code == 400 and exc.field else {"detail": exc.message}
        if exc.error_code and "detail" in body:
            body["code"] = exc.error_code
        return Response(body, status=code)
    if isinstance(exc, ReasonRequiredError):
        return Response({"reason": [str(exc)]}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, PermissionDeniedError):
        return Response({"detail": str(exc)}, status=status.HTTP_403_FORBIDDEN)
    if isinstance(exc, DjangoValidationError):
        body = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    return drf_exception_handler(exc, context)
