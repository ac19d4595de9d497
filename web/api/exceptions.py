"""One error shape for the whole API (every app), in the request's language.

Every error body has ``"code"`` (stable, for programs) and ``"detail"`` (for people, in the
language of ``Accept-Language``: Traditional Chinese by default, English when asked).
400 with per-field messages keeps them under their field, as lists, and adds their codes:

    {"code": "invalid", "detail": "輸入有誤。", "sown": ["必須 > 0"], "codes": {"sown": ["min_value"]}}

(with one message in all, ``code`` and ``detail`` are that message's). 403 / 404 / 409 / 429:
``{"code", "detail"}``.
"""

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from lims.lifecycle import TransitionError
from lims.messages import code_of
from lims.services import PermissionDeniedError, ReasonRequiredError
from maturity.errors import InputError

log = logging.getLogger(__name__)

INVALID = gettext_lazy("Some fields are not valid; see the message beside each.")
_TRANSITION_STATUS = {
    "conflict": status.HTTP_409_CONFLICT,
    "forbidden": status.HTTP_403_FORBIDDEN,
    "invalid": status.HTTP_400_BAD_REQUEST,
}
_RESERVED = ("code", "detail", "codes")


def _texts(errors):
    """Same shape, every message as text in the active language."""
    if isinstance(errors, dict):
        return {k: _texts(v) for k, v in errors.items()}
    if isinstance(errors, (list, tuple)):
        return [_texts(v) for v in errors]
    return str(errors)


def _codes(errors, default="invalid"):
    if isinstance(errors, dict):
        return {k: _codes(v, default) for k, v in errors.items()}
    if isinstance(errors, (list, tuple)):
        return [_codes(v, default) for v in errors]
    return code_of(errors, default)


def _leaves(errors):
    if isinstance(errors, dict):
        for v in errors.values():
            yield from _leaves(v)
    elif isinstance(errors, (list, tuple)):
        for v in errors:
            yield from _leaves(v)
    else:
        yield errors


def field_error_body(errors, default_code="invalid"):
    """{field: [message, ...]} -> the 400 body: the texts under their fields, "codes", "code", "detail"."""
    errors = {k: v if isinstance(v, (list, tuple, dict)) else [v] for k, v in errors.items()}
    leaves = list(_leaves(errors))
    if len(leaves) == 1:
        code, detail = code_of(leaves[0], default_code), str(leaves[0])
    else:
        code, detail = default_code, str(INVALID)
    body = {k: v for k, v in _texts(errors).items() if k not in _RESERVED}
    body.update(code=code, detail=detail, codes=_codes(errors, default_code))
    return body


def error_body(message, code=None):
    """{"code", "detail"} of one message (a lims.messages.Message, a DRF ErrorDetail, a lazy string)."""
    return {"code": code or code_of(message, "error"), "detail": str(message)}


def exception_handler(exc, context):
    if isinstance(exc, InputError):
        return Response(field_error_body(exc.errors), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, TransitionError):
        http = _TRANSITION_STATUS[exc.code]
        if http == 400 and exc.field:
            return Response(field_error_body({exc.field: [exc.message]}), status=http)
        return Response(error_body(exc.message, exc.error_code), status=http)
    if isinstance(exc, ReasonRequiredError):
        return Response(field_error_body({"reason": [_message(exc)]}, "reason_required"), status=400)
    if isinstance(exc, PermissionDeniedError):
        return Response(error_body(_message(exc), code_of(_message(exc), "permission_denied")), status=403)
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            errors = {k: [_django_error(e) for e in v] for k, v in exc.error_dict.items()}
        else:
            errors = {"non_field_errors": [_django_error(e) for e in exc.error_list]}
        return Response(field_error_body(errors), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DataError):
        # Last line of defence: a value the database cannot store or compare (a number past its range, text it
        # refuses). The transaction of the request is rolled back; the user gets a 400, not a server error.
        log.warning("database refused a value: %s", exc)
        return Response(
            {
                "code": "value_not_storable",
                "detail": _("A value in the request cannot be stored (out of range or invalid characters)."),
            },
            status=status.HTTP_400_BAD_REQUEST,
        )
    return _drf(exc)


def _message(exc):
    return exc.args[0] if exc.args else str(exc)


class _Detail:
    """A Django ValidationError's message with its code (its params filled in)."""

    def __init__(self, text, code):
        self.text, self.code = text, code

    def __str__(self):
        return str(self.text)


def _django_error(e):
    message = e.message % e.params if e.params else e.message
    return _Detail(message, e.code or code_of(e.message, "invalid"))


def _drf(exc):
    """DRF's own exceptions (authentication, permission, 404, throttling, serializer validation)."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if not isinstance(exc, exceptions.APIException):
        return None  # a server error: Django's 500
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = "%d" % exc.wait
    detail = exc.detail
    if isinstance(detail, dict):
        body = field_error_body(detail, exc.default_code)
    elif isinstance(detail, list):
        body = field_error_body({"non_field_errors": detail}, exc.default_code)
    else:
        body = error_body(detail, code_of(detail, exc.default_code))
    set_rollback()
    return Response(body, status=exc.status_code, headers=headers)


def not_found(request, exception=None):
    """404 for an address no route matches: JSON under /api/ (as every other API error), the page elsewhere."""
    if request.path.startswith("/api/"):
        from django.http import JsonResponse

        return JsonResponse({"code": "not_found", "detail": str(exceptions.NotFound.default_detail)}, status=404)
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)
