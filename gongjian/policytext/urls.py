from django.urls import path

from gongjian.policytext import views

app_name = "policytext"

urlpatterns = [
    path("", views.extract_view, name="extract"),
]
