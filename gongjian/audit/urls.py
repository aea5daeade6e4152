from django.urls import path

from gongjian.audit import views

app_name = "audit"
urlpatterns = [path("", views.audit_event_list, name="list")]
