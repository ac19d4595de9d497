"""One error shape for the whole API: HTTP status plus per-field messages.

400: {"field": ["message", ...], ...}; 409 / 403: {"detail": "message"}.
"""

import logging

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from lims.lifecycle import TransitionError
from lims.services import PermissionDeniedError, ReasonRequiredError
from maturity.errors import InputError

log = logging.getLogger(__name__)

_TRANSITION_STATUS = {
    "conflict": status.HTTP_409_CONFLICT,
    "forbidden": status.HTTP_403_FORBIDDEN,
    "invalid": status.HTTP_400_BAD_REQUEST,
}


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
    if isinstance(exc, DataError):
        # Last line of defence: a value the database cannot store or compare (a number past its range, text it
        # refuses). The transaction of the request is rolled back; the user gets a 400, not a server error.
        log.warning("database refused a value: %s", exc)
        return Response(
            {"detail": _("A value in the request cannot be stored (out of range or invalid characters).")},
            status=status.HTTP_400_BAD_REQUEST,
        )
    return drf_exception_handler(exc, context)


def not_found(request, exception=None):
    """404 for an address no route matches: JSON under /api/ (as every other API error), the page elsewhere."""
    if request.path.startswith("/api/"):
        from django.http import JsonResponse

        return JsonResponse({"detail": _("Not found.")}, status=404)
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)
