from django.urls import path

from gongjian.campaigns import views

app_name = "campaigns"

urlpatterns = [
    path("", views.campaign_list, name="list"),
    path("new/", views.campaign_create, name="create"),
    path("indicators/", views.indicator_list, name="indicator_list"),
    path("indicators/new/", views.indicator_create, name="indicator_create"),
    path("indicators/<slug:indicator_code>/edit/", views.indicator_edit, name="indicator_edit"),
    path("<slug:code>/", views.campaign_detail, name="detail"),
    path("<slug:code>/edit/", views.campaign_edit, name="edit"),
    path("<slug:code>/actions/new/", views.action_create, name="action_create"),
    path("<slug:code>/actions/<slug:action_code>/", views.action_edit, name="action_edit"),
    path("<slug:code>/actions/<slug:action_code>/members/", views.member_add, name="member_add"),
    path(
        "<slug:code>/actions/<slug:action_code>/members/<int:pk>/remove/",
        views.member_remove,
        name="member_remove",
    ),
    path("<slug:code>/targets/new/", views.target_create, name="target_create"),
    path("<slug:code>/targets/<int:pk>/", views.target_detail, name="target_detail"),
    path("<slug:code>/targets/<int:pk>/edit/", views.target_edit, name="target_edit"),
    path("<slug:code>/targets/<int:pk>/delete/", views.target_delete, name="target_delete"),
    path("<slug:code>/targets/<int:pk>/allocate/", views.target_allocate, name="target_allocate"),
]
