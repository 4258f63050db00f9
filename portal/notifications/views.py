"""My messages: everything the portal has told me, newest first. Only my own: another
person's message answers 404, whatever its id."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from .models import InboxMessage

PER_PAGE = 20


def _own(request, pk):
    return get_object_or_404(InboxMessage.objects.for_recipient(request.user), pk=pk)


@login_required
def message_list(request):
    messages = InboxMessage.objects.for_recipient(request.user)
    page = Paginator(messages, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "notifications/message_list.html", {
        "page_obj": page,
        "unread": messages.unread().count(),
    })


@login_required
def message_detail(request, pk):
    """Reading a message marks it read (idempotent: reading it again changes nothing)."""
    message = _own(request, pk)
    message.mark_read()
    return render(request, "notifications/message_detail.html", {
        "message": message,
        "link": _safe_link(request, message),
    })


@login_required
def open_message(request, pk):
    """Where a WeChat template message leads: marks the message read and goes on to
    what it is about, or shows it when it links nowhere."""
    message = _own(request, pk)
    message.mark_read()
    link = _safe_link(request, message)
    if link:
        return redirect(link)
    return redirect("notifications:detail", pk=message.pk)


@login_required
@require_POST
def read_all(request):
    InboxMessage.objects.for_recipient(request.user).mark_all_read()
    return redirect("notifications:index")


def _safe_link(request, message):
    if message.url and url_has_allowed_host_and_scheme(
        message.url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return message.url
    return ""
