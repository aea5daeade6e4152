from django.urls import path

from gongjian.dispatch import views

app_name = "dispatch"
urlpatterns = [
    path("", views.meeting_list, name="meeting_list"),
    path("meetings/new/", views.meeting_create, name="meeting_create"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/agenda/add/", views.agenda_add, name="agenda_add"),
    path("meetings/<int:pk>/agenda/regenerate/", views.agenda_regenerate, name="agenda_regenerate"),
    path("agenda/<int:pk>/edit/", views.agenda_edit, name="agenda_edit"),
    path("agenda/<int:pk>/delete/", views.agenda_delete, name="agenda_delete"),
    path("meetings/<int:pk>/tasks/add/", views.task_add, name="task_add"),
    path("meetings/<int:pk>/hold/", views.meeting_hold, name="meeting_hold"),
    path("meetings/<int:pk>/minutes.docx", views.minutes_docx, name="minutes_docx"),
    path("meetings/<int:pk>/minutes.pdf", views.minutes_pdf, name="minutes_pdf"),
    path("tasks/", views.task_list, name="task_list"),
    path("tasks/<int:pk>/", views.task_detail, name="task_detail"),
    path("tasks/<int:pk>/report/", views.task_report, name="task_report"),
    path("tasks/<int:pk>/close/", views.task_close, name="task_close"),
    path("tasks/<int:pk>/reopen/", views.task_reopen, name="task_reopen"),
    path("factors/", views.factor_board, name="factor_board"),
    path("projects/<int:pk>/factors/new/", views.factor_request_new, name="factor_new"),
    path("projects/<int:pk>/milestones/", views.project_milestones, name="milestones"),
    path("projects/<int:pk>/milestones/template/", views.milestone_template, name="template"),
    path("milestones/<int:pk>/evidence/", views.milestone_evidence, name="milestone_evidence"),
    path("projects/<int:pk>/links/", views.link_add, name="link_add"),
    path("links/<int:pk>/end/", views.link_end, name="link_end"),
    path("my-projects/", views.my_projects, name="my_projects"),
    path("units/", views.unit_page, name="unit_page"),
]
