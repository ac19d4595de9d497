from django.urls import path

from . import pages

urlpatterns = [
    path("composting/", pages.batch_list, name="composting-batches"),
    path("composting/batches/<int:pk>/", pages.batch_detail, name="composting-batch"),
]
