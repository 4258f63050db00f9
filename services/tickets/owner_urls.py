from django.urls import path

from . import owner_views

urlpatterns = [
    path("me/tickets/", owner_views.my_tickets, name="ticket_list"),
    path("me/tickets/<int:pk>/", owner_views.ticket_detail, name="ticket_detail"),
    path("me/tickets/<int:pk>/<slug:action>/", owner_views.ticket_action,
         name="ticket_action"),
    path("ticket-media/<path:name>", owner_views.ticket_media, name="ticket_media"),
]
