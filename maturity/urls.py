from django.urls import path

from . import pages

urlpatterns = [
    path("samples/<int:pk>/", pages.sample_maturity, name="maturity-sample"),
]
