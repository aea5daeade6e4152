from django.urls import path

from gongjian.dashboards import views

urlpatterns = [
    path("", views.home, name="home"),
    path("dashboards/regions/<str:code>/", views.region_detail, name="dashboard_region"),
    path("dashboards/screen/", views.screen, name="dashboard_screen"),
    path("dashboards/map/", views.project_map, name="project_map"),
]
