"""Refuse a NUL character in the URL path or query string with a 400, before any view runs.

PostgreSQL cannot compare or store text with NUL (DataError, a 500 before
this); no legitimate link or filter holds one."""

import json

from django.http import HttpResponse, HttpResponseBadRequest
from django.utils import translation
from django.utils.translation import gettext as _

from web.api.parsers import nul_message


class RejectNulMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        field = None
        if "\x00" in request.path:
            field = "path"
        else:
            for key, values in request.GET.lists():
                if "\x00" in key or any("\x00" in v for v in values):
                    field = key.replace("\x00", "")
                    break
        if field is None:
            return self.get_response(request)
        if request.path.startswith("/api/"):
            with translation.override(translation.get_language_from_request(request)):
                message = nul_message()
            body = {field: [message], "code": "nul_character", "detail": message, "codes": {field: ["nul_character"]}}
            return HttpResponse(json.dumps(body), status=400, content_type="application/json")
        return HttpResponseBadRequest(
            _("Bad request: the address contains a NUL character."), content_type="text/plain; charset=utf-8"
        )
