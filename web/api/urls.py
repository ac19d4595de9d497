from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from certificates.api.views import CertificateViewSet, RegistrationViewSet

from . import views

router = DefaultRouter()
router.register("manufacturers", views.ManufacturerViewSet, basename="manufacturer")
router.register("products", views.ProductViewSet, basename="product")
router.register("samples", views.SampleViewSet, basename="sample")
router.register("audit", views.AuditViewSet, basename="audit")
router.register("certificates", CertificateViewSet, basename="certificate")
router.register("registrations", RegistrationViewSet, basename="registration")

urlpatterns = [
    path("auth/token/", views.TokenView.as_view(), name="api-token"),
    path("me/", views.me, name="api-me"),
    path("lockouts/", views.lockouts, name="api-lockouts"),
    path("lockouts/lift/", views.lockout_lift, name="api-lockout-lift"),
    path("health/", views.health, name="api-health"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include("maturity.api.urls")),
    path("", include("qc.api.urls")),
    path("", include("composting.api.urls")),
    path("", include(router.urls)),
]
