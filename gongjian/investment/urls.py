from django.urls import path

from gongjian.investment import views

app_name = "investment"

urlpatterns = [
    path("", views.lead_list, name="lead_list"),
    path("leads/<int:pk>/", views.lead_detail, name="lead_detail"),
    path("leads/<int:pk>/stage/", views.lead_stage, name="lead_stage"),
    path("leads/<int:pk>/follow-up/", views.lead_follow_up, name="lead_follow_up"),
    path("leads/<int:pk>/assign/", views.lead_assign, name="lead_assign"),
    path("leads/<int:pk>/reveal/", views.lead_reveal, name="lead_reveal"),
    path("leads/<int:pk>/propose/", views.lead_propose, name="lead_propose"),
    path(
        "leads/<int:pk>/proposals/<int:proposal_pk>/",
        views.proposal_outcome,
        name="proposal_outcome",
    ),
    path("resources/", views.resource_list, name="resource_list"),
    path("resources/import/", views.resource_import_view, name="resource_import"),
    path("resources/<int:pk>/", views.resource_detail, name="resource_detail"),
]
