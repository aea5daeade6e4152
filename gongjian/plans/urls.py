from django.urls import path

from gongjian.plans import views

app_name = "plans"
urlpatterns = [
    path("lights/", views.light_board, name="lights"),
    path("lights/rules/", views.light_rules, name="rules"),
    path("projects/<int:pk>/plan/", views.plan_adjust, name="plan_adjust"),
]
