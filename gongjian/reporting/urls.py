from django.urls import path

from gongjian.reporting import views

app_name = "reporting"
urlpatterns = [
    path("", views.workspace, name="workspace"),
    path("row/<int:period_pk>/<int:project_pk>/", views.workspace_row, name="row"),
    path("submit/", views.submit_many, name="submit_many"),
    path("review/", views.review_queue, name="review"),
    path("review/approve/", views.approve_many, name="approve_many"),
    path("reports/<int:pk>/", views.report_detail, name="detail"),
    path("reports/<int:pk>/review/", views.review_action, name="review_action"),
    path("reports/<int:pk>/photos/", views.photo_upload, name="photo_upload"),
    path("photos/<int:pk>/", views.photo_file, name="photo"),
    path("status/", views.status_board, name="status"),
    path("periods/", views.period_list, name="periods"),
    path("periods/<int:pk>/state/", views.period_state, name="period_state"),
    path("excel/template/", views.excel_template, name="excel_template"),
    path("excel/import/", views.excel_import, name="excel_import"),
    path("excel/imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("excel/imports/<int:pk>/progress/", views.import_progress, name="import_progress"),
    path("excel/imports/<int:pk>/annotated/", views.import_annotated, name="import_annotated"),
    path("excel/imports/<int:pk>/run/", views.import_run_now, name="import_run_now"),
]
