"""The resident's "my messages" pages, under /me/messages/."""

from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("", views.message_list, name="index"),
    path("read-all/", views.read_all, name="read_all"),
    path("<int:pk>/", views.message_detail, name="detail"),
    path("<int:pk>/open/", views.open_message, name="open"),
]
