"""Upload limits: a request body larger than LIMS_UPLOAD_MAX_MB is answered 413 from its
Content-Length, before anything reads it (imports, chromatogram photos, the PDF box of /verify/)."""

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils import translation
from django.utils.translation import gettext_noop


class UploadLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.LIMS_UPLOAD_MAX_BYTES
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit:
            mb = limit / 1_000_000
            message = gettext_noop("The upload is larger than the limit of %(mb)s MB.")
            if request.path.startswith("/api/"):
                with translation.override(translation.get_language_from_request(request)):
                    detail = translation.gettext(message) % {"mb": f"{mb:g}"}
                return JsonResponse({"detail": detail, "code": "upload_too_large", "limit_bytes": limit}, status=413)
            en = message % {"mb": f"{mb:g}"}
            with translation.override("zh-hant"):
                zh = translation.gettext(message) % {"mb": f"{mb:g}"}
            return HttpResponse(
                f"<!doctype html><title>413</title><h1>413</h1><p>{zh}</p><p>{en}</p>",
                status=413,
                content_type="text/html; charset=utf-8",
            )
        return self.get_response(request)
