from django.urls import path

from . import pages

urlpatterns = [
    path("qc/worksheets/", pages.worksheet_list, name="qc-worksheets"),
    path("qc/worksheets/<int:pk>/", pages.worksheet_detail, name="qc-worksheet"),
    path("qc/charts/", pages.chart_list, name="qc-charts"),
    path("qc/charts/<int:pk>/", pages.chart_detail, name="qc-chart"),
]
