"""The owner's tickets (H5)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render

from .models import Ticket


@login_required
def my_tickets(request):
    tickets = Ticket.objects.visible_to(request.user).select_related("category")
    return render(request, "services/my_tickets.html", {"tickets": tickets[:50]})


@login_required
def ticket_detail(request, pk):
    ticket = get_object_or_404(Ticket.objects.visible_to(request.user), pk=pk)
    return render(request, "services/ticket_detail.html", {"ticket": ticket})
