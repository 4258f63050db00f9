"""The worker's workbench (H5): my orders, urgent and overdue first, and each step of an
order in place (take it, on the way, start, complete with photos), calling the owner;
the orders I completed this week. Only for staff with the worker role."""

from datetime import timedelta
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, Exists, IntegerField, OuterRef, Prefetch, Value, When
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from portal.estates import roles
from portal.estates.errors import TransitionNotAllowed

from .models import DONE_STATES, State, Ticket, TicketAttachment, TicketEvent
from .processing import attach_uploads, delete_stored
from .workbench_calls import reveal_owner_phone
from .workbench_forms import CompleteForm, SetOffForm

IN_HAND = [State.DISPATCHED, State.IN_PROGRESS]
DONE_DAYS = 7
# How the order's history reads to the worker (the event's action, else its name).
ACTION_LABELS = {
    "submitted": gettext_lazy("Reported"),
    "accepted": gettext_lazy("Accepted by customer service"),
    "dispatched": gettext_lazy("Dispatched"),
    "reassigned": gettext_lazy("Reassigned"),
    "acknowledged": gettext_lazy("Taken"),
    "on_the_way": gettext_lazy("On the way"),
    "started": gettext_lazy("Started"),
    "completed": gettext_lazy("Completed"),
    "message": gettext_lazy("Message"),
    "reopened": gettext_lazy("Reopened by the owner"),
    "escalated": gettext_lazy("Overdue: the manager was told"),
}


class TelRedirect(HttpResponseRedirect):
    allowed_schemes = ["tel"]


def is_worker(user):
    return hasattr(user, "staff") and user.staff.has_role(roles.WORKER)


def worker_only(view):
    """Residents, desk staff and anyone else get a page that says this is for workers."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_worker(request.user):
            return render(request, "services/workbench/not_for_you.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper


def my_orders(user):
    """The tickets assigned to this worker, with what the cards show."""
    return (Ticket.objects.visible_to(user).filter(assignee=user.staff)
            .select_related("category", "house__unit__building")
            .prefetch_related(Prefetch("attachments", to_attr="media")))


def with_progress(tickets, now=None):
    """Whether each order was taken (and set off for) since its dispatch, and its place
    in the list: overdue first, then urgent, then by deadline."""
    now = now or timezone.now()
    since_dispatch = TicketEvent.objects.filter(ticket=OuterRef("pk"),
                                                created_at__gte=OuterRef("dispatched_at"))
    return (tickets
            .annotate(acknowledged=Exists(since_dispatch.filter(action="acknowledged")),
                      on_the_way=Exists(since_dispatch.filter(action="on_the_way")),
                      late=Case(When(completion_due__lt=now, then=Value(0)),
                                default=Value(1), output_field=IntegerField()),
                      urgent=Case(When(urgency=Ticket.Urgency.URGENT, then=Value(0)),
                                  default=Value(1), output_field=IntegerField()))
            .order_by("late", "urgent", "completion_due", "pk"))


def open_orders(user):
    return with_progress(my_orders(user).filter(state__in=IN_HAND))


def _with_owner(tickets, user):
    for ticket in tickets:
        ticket.owner_name = ticket.reporter_shown_to(user)
        # The owner's photos and video with the report; the worker's own after-photos.
        ticket.report_media = [a for a in ticket.media
                               if a.stage == TicketAttachment.Stage.REPORT]
        ticket.after_media = [a for a in ticket.media
                              if a.stage == TicketAttachment.Stage.AFTER]
    return tickets


@worker_only
def orders(request):
    tickets = _with_owner(list(open_orders(request.user)), request.user)
    return render(request, "services/workbench/orders.html", {
        "tickets": tickets, "tab": "open", "set_off_form": SetOffForm()})


@worker_only
def done_orders(request):
    since = timezone.now() - timedelta(days=DONE_DAYS)
    tickets = (my_orders(request.user)
               .filter(state__in=[*DONE_STATES, State.CLOSED], completed_at__gte=since)
               .order_by("-completed_at", "-pk"))
    return render(request, "services/workbench/done.html", {
        "tickets": _with_owner(list(tickets), request.user), "tab": "done",
        "days": DONE_DAYS})


def _order_or_refusal(request, pk, queryset=None):
    """(ticket, None), or (None, a response saying the order is not this worker's):
    the same answer whether it is someone else's or does not exist."""
    ticket = (queryset if queryset is not None else my_orders(request.user)).filter(
        pk=pk).first()
    if ticket is None:
        return None, render(request, "services/workbench/not_yours.html", status=404)
    return ticket, None


@worker_only
def order_detail(request, pk, complete_form=None):
    ticket, refusal = _order_or_refusal(request, pk, with_progress(my_orders(request.user)))
    if refusal:
        return refusal
    _with_owner([ticket], request.user)
    return render(request, "services/workbench/order.html", {
        "ticket": ticket, "tab": "open", "set_off_form": SetOffForm(),
        "complete_form": complete_form or CompleteForm(),
        "can_work": ticket.state in IN_HAND,
        "timeline": [_labelled(event) for event in ticket.events.order_by("created_at", "pk")]})


def _labelled(event):
    event.label = ACTION_LABELS.get(event.action, event.action)
    return event


def _refusal_text(refused):
    if isinstance(refused, ValidationError):
        return " ".join(refused.messages)
    return str(refused)


def _back(request, ticket):
    if request.POST.get("back") == "order":
        return redirect("services:workbench_order", ticket.pk)
    return redirect(f"{reverse('services:workbench')}#order-{ticket.pk}")


def _step(request, pk, do, done_message):
    """Run one step on my order; a refused step (wrong state, someone else's order)
    is said in a message and changes nothing."""
    ticket, refusal = _order_or_refusal(request, pk)
    if refusal:
        return refusal
    try:
        do(ticket)
    except (TransitionNotAllowed, ValidationError) as refused:
        messages.error(request, _refusal_text(refused))
    else:
        messages.success(request, done_message % {"reference": ticket.reference})
    return _back(request, ticket)


@require_POST
@worker_only
def take(request, pk):
    return _step(request, pk, lambda t: t.acknowledge(by=request.user),
                 _("You have taken order %(reference)s."))


@require_POST
@worker_only
def set_off(request, pk):
    form = SetOffForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose when you will arrive."))
        return redirect("services:workbench_order", pk)

    def go(ticket):
        # A double tap gives the same (rounded) arrival: set_off sees, under the row
        # lock, that the owner has been told it already and does nothing.
        ticket.set_off(by=request.user, expected_arrival=form.expected_arrival())

    return _step(request, pk, go, _("The owner is told you are on the way (%(reference)s)."))


@require_POST
@worker_only
def start(request, pk):
    return _step(request, pk, lambda t: t.start(by=request.user),
                 _("Work on %(reference)s has started."))


@worker_only
def complete(request, pk):
    if request.method != "POST":
        return redirect(f"{reverse('services:workbench_order', args=[pk])}#complete")
    ticket, refusal = _order_or_refusal(request, pk)
    if refusal:
        return refusal
    form = CompleteForm(request.POST, request.FILES)
    if not form.is_valid():
        return order_detail(request, pk, complete_form=form)
    photos, stored = form.cleaned_data["photos"], []
    try:
        with transaction.atomic():
            ticket.complete(by=request.user, note=form.cleaned_data["note"],
                            materials=form.cleaned_data["materials"])
            event = ticket.events.filter(action="completed").latest("created_at", "pk")
            stored = attach_uploads(event, stage=TicketAttachment.Stage.AFTER,
                                    photos=photos.files,
                                    wechat_media_ids=photos.wechat_media_ids)
    except (TransitionNotAllowed, ValidationError) as refused:
        messages.error(request, _refusal_text(refused))
        return redirect("services:workbench_order", pk)
    except BaseException:
        delete_stored(stored)
        raise
    messages.success(request, _("Order %(reference)s is completed; the owner is asked to "
                                "confirm it.") % {"reference": ticket.reference})
    return redirect("services:workbench")


@worker_only
def call_owner(request, pk):
    """Dials the owner (a tel: link behind a redirect), recording the call."""
    ticket, refusal = _order_or_refusal(request, pk)
    if refusal:
        return refusal
    phone = reveal_owner_phone(ticket, by=request.user)
    if not phone:
        messages.error(request, _("The owner left no phone number."))
        return redirect("services:workbench_order", pk)
    return TelRedirect(f"tel:{phone}")
