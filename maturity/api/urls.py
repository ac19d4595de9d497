from django.urls import path

from . import views

urlpatterns = [
    path("samples/<int:sample_id>/assays/", views.sample_assays, name="sample-assays"),
    path("samples/<int:sample_id>/assays/<int:assay_id>/", views.sample_assay_detail, name="sample-assay-detail"),
    path("samples/<int:sample_id>/verify/", views.sample_verify, name="sample-verify"),
    path("samples/<int:sample_id>/results/", views.sample_results, name="sample-results"),
    path("samples/<int:sample_id>/maturity/", views.sample_maturity, name="sample-maturity"),
    path("samples/<int:sample_id>/compliance/", views.sample_compliance, name="sample-compliance"),
    path("samples/<int:sample_id>/jurisdictions/", views.sample_jurisdictions, name="sample-jurisdictions"),
    path("imports/", views.results_import, name="results-import"),
    path("assess/", views.assess, name="assess"),
    path("regulator/samples/", views.market_samples, name="market-samples"),
    path("regulator/samples/export/", views.market_export, name="market-export"),
    path("regulator/statistics/", views.market_statistics, name="market-statistics"),
]
