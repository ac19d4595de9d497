from django.urls import path

from . import pages

urlpatterns = [
    path("composting/", pages.batch_list, name="composting-batches"),
    path("composting/batches/<int:pk>/", pages.batch_detail, name="composting-batch"),
    path("composting/mix/", pages.mix_designer, name="composting-mix"),
    path("composting/forecast/", pages.soil_forecast, name="composting-forecast"),
]
