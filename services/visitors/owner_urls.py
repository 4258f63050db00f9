"""The owner's visitor passes (services.visitors.owner_views), under /me/visitors/, and
the page a shared pass opens for the visitor, without logging in."""

from django.urls import path

from . import owner_views

app_name = "visitors"

urlpatterns = [
    path("me/visitors/", owner_views.pass_list, name="list"),
    path("me/visitors/invite/", owner_views.invite, name="invite"),
    path("me/visitors/<int:pk>/", owner_views.pass_detail, name="detail"),
    path("me/visitors/<int:pk>/<slug:action>/", owner_views.pass_action, name="action"),
    path("visit/<str:token>/", owner_views.shared_pass, name="shared"),
]
