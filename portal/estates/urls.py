from django.urls import path

from . import views

app_name = "estates"

urlpatterns = [
    path("register/<str:token>/", views.register, name="register"),
]
