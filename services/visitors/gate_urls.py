"""The guard's gate workbench (services.visitors.gate_views), under /gate/."""

from django.urls import path

from . import gate_views as views

app_name = "gate"

urlpatterns = [
    path("", views.home, name="home"),
    path("community/", views.community, name="community"),
    path("check/", views.check, name="check"),
    path("admit/", views.admit, name="admit"),
    path("exit/", views.record_exit, name="exit"),
    path("walk-in/", views.walk_in, name="walk_in"),
    path("expected/", views.expected, name="expected"),
    path("log/", views.log, name="log"),
]
