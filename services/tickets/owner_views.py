"""The owner's tickets (H5): the list, one ticket with its timeline, and the owner's
actions on it. Every action is a POST that calls the ticket's verb; a refusal
(TransitionNotAllowed, ValidationError) comes back as a message next to the form.

The list is the tickets I filed; a ticket's page is open to whoever visible_to lets see
it (staff follow the owner's link in their notifications), but only its reporter acts.
"""

import posixpath

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from portal.estates.errors import TransitionNotAllowed
from services.media.ranges import ranged_file_response

from .forms import CancelForm, MessageForm, RatingForm, ReopenForm
from .models import DONE_STATES, WAITING_FOR_DISPATCH, Ticket, TicketAttachment
from .owner_timeline import timeline
from .processing import attach_uploads, delete_stored

PER_PAGE = 20
State = Ticket.State
# A ticket's file is shown as what its stored extension says only when that is a picture
# or a video. The extension is the one the resident's file name had, so a picture sent as
# "x.html" would otherwise be served as a page of this site, its script running for the
# staff who open it.
SHOWN_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png",
               ".gif": "image/gif", ".webp": "image/webp", ".heic": "image/heic",
               ".heif": "image/heif", ".mp4": "video/mp4", ".m4v": "video/mp4",
               ".mov": "video/quicktime"}


@login_required
def my_tickets(request):
    tickets = (Ticket.objects.visible_to(request.user).filter(reporter=request.user)
               .select_related("category", "house__unit__building"))
    page = Paginator(tickets, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "services/my_tickets.html", {"page_obj": page,
                                                        "tickets": page.object_list})


def _ticket_for(user, pk):
    return get_object_or_404(
        Ticket.objects.visible_to(user).select_related(
            "category", "community", "house__unit__building", "assignee__user", "handler"),
        pk=pk)


def available_actions(ticket, user):
    """The owner's actions the ticket's state allows now (the verbs check again)."""
    if user.pk != ticket.reporter_id:
        return set()
    actions = set()
    if ticket.state != State.CLOSED:
        actions.add("message")
    if ticket.state in WAITING_FOR_DISPATCH:
        actions.add("cancel")
    if ticket.state == State.COMPLETED:
        actions.add("confirm")
    if ticket.state in (State.COMPLETED, State.CONFIRMED):
        actions.add("rate")
    if ticket.state in DONE_STATES and ticket.can_reopen_until \
            and ticket.can_reopen_until >= timezone.now():
        actions.add("reopen")
    return actions


@login_required
def ticket_detail(request, pk, forms=None, status=200):
    ticket = _ticket_for(request.user, pk)
    forms = forms or {}
    actions = available_actions(ticket, request.user)
    context = {
        "ticket": ticket,
        "timeline": timeline(ticket, request.user),
        "report_attachments": [a for a in ticket.attachments.all()
                               if a.stage == TicketAttachment.Stage.REPORT],
        "actions": actions,
        "is_owner": request.user.pk == ticket.reporter_id,
        "show_worker": ticket.assignee_id is not None and ticket.dispatched_at is not None,
        "is_done": ticket.state in DONE_STATES,
        "message_form": forms.get("message") or MessageForm(),
        "cancel_form": forms.get("cancel") or CancelForm(),
        "reopen_form": forms.get("reopen") or ReopenForm(),
        "rating_form": forms.get("rate") or RatingForm(),
    }
    return render(request, "services/ticket_detail.html", context, status=status)


FORMS = {"message": MessageForm, "cancel": CancelForm, "reopen": ReopenForm,
         "rate": RatingForm, "confirm": None}
DONE = {
    "message": _("Your message was sent."),
    "cancel": _("The ticket was cancelled."),
    "confirm": _("Thank you for confirming the repair."),
    "reopen": _("The ticket was reopened; customer service will be in touch."),
    "rate": _("Thank you for your rating."),
}


@login_required
@require_POST
def ticket_action(request, pk, action):
    if action not in FORMS:
        raise Http404
    ticket = _ticket_for(request.user, pk)
    form_class = FORMS[action]
    form = form_class(request.POST, request.FILES) if form_class else None
    if form is not None and not form.is_valid():
        return ticket_detail(request, pk, forms={action: form}, status=400)
    try:
        _perform(action, ticket, request.user, form.cleaned_data if form else {})
    except (TransitionNotAllowed, ValidationError) as error:
        if form is None or not hasattr(error, "message_dict"):
            text = " ".join(error.messages) if hasattr(error, "messages") else str(error)
            messages.error(request, text)
            return redirect(ticket.owner_url)
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return ticket_detail(request, pk, forms={action: form}, status=400)
    messages.success(request, DONE[action])
    return redirect(ticket.owner_url)


def _perform(action, ticket, user, data):
    if action == "message":
        _add_message(ticket, user, data)
    elif action == "cancel":
        ticket.cancel(by=user, reason=data["reason"])
    elif action == "confirm":
        ticket.confirm(by=user)
    elif action == "reopen":
        ticket.reopen(by=user, reason=data["reason"])
    elif action == "rate":
        ticket.rate(by=user, speed=data["speed"], attitude=data["attitude"],
                    quality=data["quality"], comment=data["comment"])


def _add_message(ticket, user, data):
    """The message and its photos together, or neither."""
    if user.pk != ticket.reporter_id:
        raise TransitionNotAllowed(_("Only the person who filed the ticket can do this."))
    photos = data.get("photos")
    stored = []
    try:
        with transaction.atomic():
            event = ticket.add_message(by=user, text=data["text"],
                                       key=data["idempotency_key"],
                                       with_photos=bool(photos))
            if event is None:
                return  # the same form again: its text and photos are there already
            stored = attach_uploads(event, stage=TicketAttachment.Stage.MESSAGE,
                                    photos=photos.files if photos else (),
                                    wechat_media_ids=photos.wechat_media_ids if photos else ())
    except BaseException:
        delete_stored(stored)
        raise


def ticket_media(request, name):
    """A ticket's photo, thumbnail or video, for whoever may see the ticket (visible_to:
    its owner, the staff of its community, its worker); anyone else gets a 404, the same
    as for a name that does not exist."""
    if not request.user.is_authenticated:
        raise Http404
    attachment = (TicketAttachment.objects.visible_to(request.user)
                  .filter(Q(file=name) | Q(thumbnail=name)).first())
    if attachment is None:
        raise Http404
    field = attachment.file if attachment.file.name == name else attachment.thumbnail
    try:
        handle = field.storage.open(name, "rb")
    except FileNotFoundError:
        raise Http404 from None
    content_type = SHOWN_TYPES.get(posixpath.splitext(name)[1].lower())
    if content_type:
        response = ranged_file_response(request, handle, field.storage.size(name), content_type)
    else:
        response = FileResponse(handle, content_type="application/octet-stream",
                                as_attachment=True)
    # Private: no shared cache may keep it; the browser may, for a while.
    response["Cache-Control"] = "private, max-age=3600"
    return response
