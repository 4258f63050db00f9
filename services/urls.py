from django.urls import path

from . import views

app_name = "services"

urlpatterns = [
    path("me/tickets/", views.my_tickets, name="ticket_list"),
    path("me/tickets/<int:pk>/", views.ticket_detail, name="ticket_detail"),
]
