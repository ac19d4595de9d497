"""Upload limits: a request body larger than LIMS_UPLOAD_MAX_MB is answered 413 from its
Content-Length, before anything reads it (imports, chromatogram photos, the PDF box of /verify/)."""

from django.conf import settings
from django.http import HttpResponse, JsonResponse


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
            en = f"The upload is larger than the limit of {mb:g} MB."
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": en, "code": "upload_too_large", "limit_bytes": limit}, status=413)
            zh = f"上傳的檔案超過 {mb:g} MB 的上限。"
            return HttpResponse(
                f"<!doctype html><title>413</title><h1>413</h1><p>{zh}</p><p>{en}</p>",
                status=413,
                content_type="text/html; charset=utf-8",
            )
        return self.get_response(request)
