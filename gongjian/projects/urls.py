from django.urls import path

from gongjian.projects import views

app_name = "projects"
urlpatterns = [
    path("", views.project_list, name="list"),
    path("new/", views.project_create, name="create"),
    path("import/", views.project_import, name="import"),
    path("import/annotated/", views.project_import_annotated, name="import_annotated"),
    path("export/", views.project_export, name="export"),
    path("<int:pk>/", views.project_detail, name="detail"),
    path("<int:pk>/edit/", views.project_edit, name="edit"),
    path("<int:pk>/stage/", views.project_record_stage, name="record_stage"),
    path("stage-claims/", views.stage_claims, name="stage_claims"),
    path("stage-events/<int:pk>/confirm/", views.stage_event_confirm, name="stage_confirm"),
    path("stage-events/<int:pk>/reject/", views.stage_event_reject, name="stage_reject"),
    path("stage-events/<int:pk>/evidence/", views.stage_event_evidence, name="stage_evidence"),
    path("<int:pk>/problems/new/", views.problem_raise, name="problem_raise"),
    path("problems/", views.problem_board, name="problem_board"),
    path("problems/<int:pk>/", views.problem_detail, name="problem_detail"),
    path("problems/<int:pk>/assign/", views.problem_assign, name="problem_assign"),
    path("problems/<int:pk>/status/", views.problem_status, name="problem_status"),
    path("supervisions/", views.supervision_list, name="supervision_list"),
    path("supervisions/new/", views.supervision_create, name="supervision_create"),
    path("supervisions/<int:pk>/", views.supervision_detail, name="supervision_detail"),
    path("supervisions/<int:pk>/respond/", views.supervision_respond, name="supervision_respond"),
    path("supervisions/<int:pk>/close/", views.supervision_close, name="supervision_close"),
]
