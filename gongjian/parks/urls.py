from django.urls import path

from gongjian.parks import views

app_name = "parks"

urlpatterns = [
    path("", views.park_list, name="list"),
    path("ranking/", views.park_ranking_view, name="ranking"),
    path("lalian/", views.park_compare, name="compare"),
    path("enterprises/export.xlsx", views.roster_download, name="roster_export"),
    path("enterprises/import/", views.roster_upload, name="roster_import"),
    path("enterprises/import/errors.xlsx", views.roster_annotated, name="roster_annotated"),
    path("<int:pk>/", views.park_detail, name="detail"),
]
