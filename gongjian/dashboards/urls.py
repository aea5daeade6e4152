from django.urls import path

from gongjian.dashboards import views

urlpatterns = [path("", views.home, name="home")]
