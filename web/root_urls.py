from django.contrib import admin
from django.urls import include, path

from certificates import views as certificate_views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("web.api.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("verify/", certificate_views.verify_lookup, name="verify-lookup"),
    path("verify/<str:number>/", certificate_views.verify, name="verify"),
    path("", include("qc.urls")),
    path("maturity/", include("maturity.urls")),
    path("", include("composting.urls")),
    path("", include("web.urls")),
]

handler404 = "web.api.exceptions.not_found"  # JSON under /api/
