from django.urls import path

from . import views

app_name = "estates"

urlpatterns = [
    path("register/<str:token>/", views.register, name="register"),
    path("me/", views.me, name="me"),
    path("me/houses/bind/", views.bind_house, name="bind_house"),
]
