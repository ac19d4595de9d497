from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("composting/batches", views.BatchViewSet, basename="composting-batch")

urlpatterns = [
    path("composting/sample-batch/", views.sample_batch, name="composting-sample-batch"),
    *router.urls,
]
