from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("qc/reference-materials", views.ReferenceMaterialViewSet, basename="qc-reference-material")
router.register("qc/templates", views.WorksheetTemplateViewSet, basename="qc-template")
router.register("qc/limits", views.QcLimitsViewSet, basename="qc-limits")
router.register("qc/charts", views.ControlChartViewSet, basename="qc-chart")
router.register("worksheets", views.WorksheetViewSet, basename="worksheet")

urlpatterns = [
    path("samples/<int:sample_id>/qc/", views.sample_qc, name="sample-qc"),
    *router.urls,
]
