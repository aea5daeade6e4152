from django.urls import path

from gongjian.bulletins import views

app_name = "bulletins"
urlpatterns = [
    path("", views.bulletin_list, name="list"),
    path("new/", views.bulletin_create, name="create"),
    path("<int:pk>/", views.bulletin_detail, name="detail"),
    path("<int:pk>/progress/", views.bulletin_progress, name="progress"),
    path("<int:pk>/download/", views.bulletin_download, name="download"),
    path("<int:pk>/publish/", views.bulletin_publish, name="publish"),
    path("<int:pk>/generate/", views.bulletin_generate_now, name="generate"),
    path("templates/", views.docx_templates, name="templates"),
    path("templates/<str:kind>/download/", views.docx_template_download, name="template_download"),
    path("templates/<str:kind>/reset/", views.docx_template_reset, name="template_reset"),
]
