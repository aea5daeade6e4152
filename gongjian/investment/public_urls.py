from django.urls import path

from gongjian.investment import views

app_name = "investment_public"

urlpatterns = [
    path("", views.public_form, name="form"),
    path("submitted/", views.public_done, name="done"),
    path("privacy/", views.privacy, name="privacy"),
]
