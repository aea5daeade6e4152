from django.urls import path

from gongjian.assessment import views

app_name = "assessment"
urlpatterns = [
    path("", views.index, name="index"),
    path("rubrics/", views.rubric_list, name="rubrics"),
    path("rubrics/new/", views.rubric_new, name="rubric_new"),
    path("rubrics/<int:pk>/", views.rubric_detail, name="rubric"),
    path("rubrics/<int:pk>/items/", views.rubric_item_add, name="rubric_item_add"),
    path("rubrics/<int:pk>/publish/", views.rubric_publish, name="rubric_publish"),
    path("items/<int:pk>/", views.rubric_item_edit, name="item_edit"),
    path("items/<int:pk>/remove/", views.rubric_item_remove, name="item_remove"),
    path("results/<int:pk>/", views.result_detail, name="result"),
    path("results/<int:pk>/export/", views.result_export, name="result_export"),
    path("results/<int:pk>/<str:region>/", views.breakdown, name="breakdown"),
    path("<slug:code>/", views.campaign_results, name="campaign"),
    path("<slug:code>/preview/", views.preview, name="preview"),
    path("<slug:code>/publish/", views.publish, name="publish"),
]
