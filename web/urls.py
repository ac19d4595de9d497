from django.contrib.auth import views as auth_views
from django.urls import path

from .views import common, lab, portal, regulator, review

urlpatterns = [
    path("", common.home, name="home"),
    path("accounts/login/", common.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    # samples (every role, through the visibility selectors)
    path("samples/", common.sample_list, name="sample-list"),
    path("samples/new/", common.sample_create, name="sample-create"),
    path("samples/bulk/", common.sample_bulk, name="sample-bulk"),
    path("samples/labels/", common.sample_labels, name="sample-labels"),
    path("samples/<int:pk>/", common.sample_detail, name="sample-detail"),
    path("samples/<int:pk>/transition/", common.sample_transition, name="sample-transition"),
    path("samples/<int:pk>/label/", common.sample_label, name="sample-label"),
    path("samples/<int:pk>/history/", common.sample_timeline, name="sample-timeline"),
    path("samples/<int:pk>/assays/<int:assay_id>/photo/", common.assay_photo, name="assay-photo"),
    # technician
    path("lab/", lab.worklist, name="lab-worklist"),
    path("lab/receive/", lab.receive, name="lab-receive"),
    path("lab/import/", lab.results_import, name="lab-import"),
    path("lab/import/template/", lab.import_template, name="lab-import-template"),
    path("samples/<int:pk>/assays/new/<str:method>/", lab.assay_entry, name="assay-entry"),
    path("samples/<int:pk>/assays/<int:assay_id>/correct/", lab.assay_correct, name="assay-correct"),
    path("samples/<int:pk>/assays/preview/", lab.assay_preview, name="assay-preview"),
    # reviewer
    path("review/", review.queue, name="review-queue"),
    path("review/samples/<int:pk>/", review.review_sample, name="review-sample"),
    path("review/samples/<int:pk>/certificate/", review.certificate_issue, name="certificate-issue"),
    path("review/batch/", review.batch_issue, name="batch-issue"),
    path("review/batch/<int:batch_id>/", review.batch_progress, name="batch-progress"),
    path("review/batch/<int:batch_id>/pdfs.zip", review.batch_zip, name="batch-zip"),
    # documents
    path("documents/", common.document_list, name="document-list"),
    path("documents/<int:pk>/", common.document_detail, name="document-detail"),
    path("documents/<int:pk>/download/", common.document_download, name="document-download"),
    path("documents/<int:pk>/<str:action>/", common.document_action, name="document-action"),
    # manufacturer portal
    path("portal/", portal.overview, name="portal"),
    path("portal/precheck/", portal.precheck, name="precheck"),
    path("products/new/", portal.product_create, name="product-create"),
    path("products/<int:pk>/", portal.product_detail, name="product-detail"),
    path("products/<int:pk>/edit/", portal.product_edit, name="product-edit"),
    # regulator
    path("regulator/", regulator.dashboard, name="regulator"),
    path("regulator/export/", regulator.export, name="regulator-export"),
]
