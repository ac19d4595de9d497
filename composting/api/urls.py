from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("composting/batches", views.BatchViewSet, basename="composting-batch")

urlpatterns = [
    path("composting/sample-batch/", views.sample_batch, name="composting-sample-batch"),
    path("composting/mix/", views.mix_design, name="composting-mix-design"),
    path("composting/materials/", views.materials, name="composting-materials"),
    path("composting/soil/", views.soil_data, name="composting-soil"),
    path("composting/forecast/", views.soil_forecast, name="composting-soil-forecast"),
    *router.urls,
]
