from django.urls import path

from . import pages

urlpatterns = [
    path("samples/<int:pk>/", pages.sample_maturity, name="maturity-sample"),
    path("samples/<int:pk>/chromatogram/", pages.chromatogram_photo, name="chromatogram-photo"),
    path("chromatogram/<int:rid>/", pages.chromatogram_reading, name="chromatogram-reading"),
    path("chromatogram/<int:rid>/overlay.png", pages.chromatogram_overlay, name="chromatogram-overlay"),
]
