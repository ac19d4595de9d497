from django.urls import path

from . import chromatogram, views

urlpatterns = [
    path("samples/<int:sample_id>/assays/", views.sample_assays, name="sample-assays"),
    path("samples/<int:sample_id>/assays/<int:assay_id>/", views.sample_assay_detail, name="sample-assay-detail"),
    path("samples/<int:sample_id>/verify/", views.sample_verify, name="sample-verify"),
    path("samples/<int:sample_id>/results/", views.sample_results, name="sample-results"),
    path("samples/<int:sample_id>/maturity/", views.sample_maturity, name="sample-maturity"),
    path("samples/<int:sample_id>/compliance/", views.sample_compliance, name="sample-compliance"),
    path("samples/<int:sample_id>/jurisdictions/", views.sample_jurisdictions, name="sample-jurisdictions"),
    path("samples/<int:sample_id>/chromatogram-readings/", chromatogram.sample_readings, name="chromatogram-readings"),
    path(
        "samples/<int:sample_id>/chromatogram-readings/<int:reading_id>/decision/",
        chromatogram.reading_decision,
        name="chromatogram-reading-decision",
    ),
    path(
        "samples/<int:sample_id>/chromatogram-readings/<int:reading_id>/overlay/",
        chromatogram.reading_overlay,
        name="chromatogram-reading-overlay",
    ),
    path("chromatogram-readings/statistics/", chromatogram.reading_statistics, name="chromatogram-statistics"),
    path("imports/", views.results_import, name="results-import"),
    path("assess/", views.assess, name="assess"),
    path("regulator/samples/", views.market_samples, name="market-samples"),
    path("regulator/samples/export/", views.market_export, name="market-export"),
    path("regulator/statistics/", views.market_statistics, name="market-statistics"),
]
