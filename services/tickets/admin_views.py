"""Admin screens of the customer-service desk that a viewset cannot declare: the queue's
search by ticket number and its export, the ticket page with its timeline and action
forms, and the logged call to the owner. Every object comes through visible_to(user)
(the scoped viewset does it before these views run); each action calls one model verb
and turns a refusal into a message."""

import datetime

from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets.button import HeaderButton
from wagtail.log_actions import log
from wagtail.models import ModelLogEntry

from portal.estates.admin_views import ObjectActionView
from portal.estates.errors import TransitionNotAllowed
from portal.estates.models import Community
from portal.estates.viewsets import IndexView, InspectView

from .admin_forms import ACTION_FORMS, offered_actions, ticket_pk_from_reference
from .roster import DutyShift

HANDLE = "services.handle_ticket"
CALL_LOG_ACTION = "services.ticket.call"
ONCE_SECONDS = 24 * 3600

# What each timeline row says; the action codes are the model's.
EVENT_LABELS = {
    "submitted": _("Submitted"), "accepted": _("Accepted"), "dispatched": _("Dispatched"),
    "reassigned": _("Reassigned"), "on_the_way": _("On the way"), "started": _("Started"),
    "completed": _("Completed"), "replied": _("Replied"), "cancelled": _("Cancelled"),
    "confirmed": _("Confirmed by the owner"), "reopened": _("Reopened"), "rated": _("Rated"),
    "closed": _("Closed"), "merged": _("Merged into another ticket"),
    "merged_from": _("A duplicate was merged into it"), "message": _("Message"),
    "escalated": _("Escalated: overdue"), "revisited": _("Revisit"),
    "follow_up": _("Opened as a follow-up"),
}


def reporter_hidden(ticket, user):
    """An anonymous complaint: the handling staff see neither name nor number."""
    return ticket.anonymous and not user.has_perm("services.view_reporter")


class TicketIndexView(IndexView):
    """The queue: searchable by the number owners quote (BX20261123-1234) as well as by
    description; the export hides who filed an anonymous complaint."""

    def search_queryset(self, queryset):
        pk = ticket_pk_from_reference(self.search_query) if self.is_searching else None
        if pk is not None:
            return queryset.filter(pk=pk)
        return super().search_queryset(queryset)

    @cached_property
    def columns(self):
        columns = super().columns
        columns[0].label = _("Number")
        columns[0].classname = "ticket-number"  # kept on one line: see admin_hooks
        return columns

    def to_row_dict(self, item):
        row = super().to_row_dict(item)
        if "contact_name" in row:
            row["contact_name"] = item.reporter_shown_to(self.request.user)
        if reporter_hidden(item, self.request.user):
            row["masked_contact_phone"] = ""
        return row

    # Times in the spreadsheet in the company's time zone, not UTC.
    custom_value_preprocess = {
        **IndexView.custom_value_preprocess,
        datetime.datetime: {
            IndexView.FORMAT_XLSX: lambda value: timezone.make_naive(value)
            if timezone.is_aware(value) else value,
        },
    }


class TicketInspectView(InspectView):
    """The ticket page: its facts, photos, the whole timeline (internal steps too) and a
    form per action its state allows. The forms post here."""

    template_name = "services/admin/ticket_inspect.html"
    page_title = _("Ticket")

    def get_context_data(self, **kwargs):
        ticket, user = self.object, self.request.user
        can_handle = user.has_perm(HANDLE)
        forms = kwargs.pop("forms", {})
        if can_handle:
            for name in offered_actions(ticket):
                forms.setdefault(name, ACTION_FORMS[name](ticket=ticket, user=user))
        return super().get_context_data(
            ticket=ticket,
            reporter=ticket.reporter_shown_to(user),
            reporter_hidden=reporter_hidden(ticket, user),
            events=timeline(ticket, user),
            event_labels=EVENT_LABELS,
            report_photos=ticket.attachments.filter(event=None),
            revisits=ticket.revisits.select_related("by"),
            calls=calls_of(ticket),
            action_forms=[forms[name] for name in ACTION_FORMS if name in forms],
            can_handle=can_handle,
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        if not request.user.has_perm(HANDLE):
            raise PermissionDenied
        form_class = ACTION_FORMS.get(request.POST.get("action"))
        if form_class is None:
            return HttpResponseRedirect(request.path)
        form = form_class(request.POST, ticket=self.object, user=request.user)
        if form.is_valid():
            once = f"tickets:form:{form.cleaned_data['once']}"
            if form.cleaned_data["once"] and not cache.add(once, True, ONCE_SECONDS):
                messages.info(request, _("This was already done."))
                return HttpResponseRedirect(request.path)
            try:
                messages.success(request, form.act())
                return HttpResponseRedirect(request.path)
            except TransitionNotAllowed as error:
                cache.delete(once)
                messages.error(request, str(error))
                return HttpResponseRedirect(request.path)
            except ValidationError as error:
                cache.delete(once)
                _attach(form, error)
        messages.error(request, _("The action could not be done: see the form below."))
        self.object.refresh_from_db()
        context = self.get_context_data(forms={form.action: form})
        return self.render_to_response(context)


def timeline(ticket, user):
    """Every step, internal ones too, each with who did it as this user may see it: the
    reporter of an anonymous complaint stays anonymous."""
    events = list(ticket.events.select_related("actor").prefetch_related("attachments"))
    for event in events:
        if event.actor_id is not None and event.actor_id == ticket.reporter_id:
            event.by = ticket.reporter_shown_to(user)
        else:
            event.by = event.actor or _("System")
    return events


def _attach(form, error):
    """The verb's message next to the field it is about, or above the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def calls_of(ticket):
    """Who was shown the owner's full number, and when (the audit log)."""
    return ModelLogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(ticket), object_id=str(ticket.pk),
        action=CALL_LOG_ACTION).select_related("user").order_by("-timestamp")


def reveal_contact_phone(ticket, by):
    """Customer service is about to call the owner: the full number is shown, and that it
    was shown is recorded (never the number itself)."""
    with transaction.atomic():
        log(ticket, CALL_LOG_ACTION, user=by)
    return ticket.contact_phone


class CallOwnerView(ObjectActionView):
    """The contact's full number as a tel: link, shown only on request and logged."""

    permission_required = HANDLE
    page_title = _("Call the owner")
    template_name = "services/admin/ticket_call.html"

    def get(self, request, *args, **kwargs):
        if reporter_hidden(self.object, request.user) or not self.object.contact_phone:
            messages.error(request, _("This ticket has no number you may call."))
            return HttpResponseRedirect(self.inspect_url)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            phone=reveal_contact_phone(self.object, by=self.request.user),
            contact=self.object.reporter_shown_to(self.request.user),
            inspect_url=self.inspect_url, **kwargs)



class DutyWeekView(WagtailAdminTemplateMixin, TemplateView):
    """The duty calendar (值班表) of one week: a column per day, the shifts of my
    communities in each."""

    template_name = "services/admin/duty_week.html"
    page_title = _("Duty calendar")
    header_icon = "date"
    index_url_name = None
    add_url_name = None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("services.view_dutyshift"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items,
                {"url": reverse(self.index_url_name), "label": DutyShift._meta.verbose_name_plural},
                {"url": "", "label": self.get_page_title()}]

    def week_start(self):
        try:
            day = datetime.date.fromisoformat(self.request.GET.get("week", ""))
        except ValueError:
            day = timezone.localdate()
        return day - datetime.timedelta(days=day.weekday())

    def get_context_data(self, **kwargs):
        monday = self.week_start()
        days = [monday + datetime.timedelta(days=number) for number in range(7)]
        start = timezone.make_aware(datetime.datetime.combine(monday, datetime.time()))
        end = start + datetime.timedelta(days=7)
        communities = Community.objects.visible_to(self.request.user)
        shifts = DutyShift.objects.visible_to(self.request.user).filter(
            starts_at__lt=end, ends_at__gt=start).select_related("staff", "community")
        community = communities.filter(pk=self.request.GET.get("community") or None).first()
        if community is not None:
            shifts = shifts.filter(community=community)
        columns = [(day, [shift for shift in shifts
                          if timezone.localdate(shift.starts_at) <= day
                          <= timezone.localdate(shift.ends_at)]) for day in days]
        return super().get_context_data(
            columns=columns, communities=communities, community=community,
            previous_week=(monday - datetime.timedelta(days=7)).isoformat(),
            next_week=(monday + datetime.timedelta(days=7)).isoformat(),
            today=timezone.localdate(), list_url=reverse(self.index_url_name),
            add_url=reverse(self.add_url_name)
            if self.request.user.has_perm("services.add_dutyshift") else None,
            **kwargs)


class DutyShiftIndexView(IndexView):
    """The list of shifts, with a way to the week calendar."""

    week_url_name = None

    @cached_property
    def header_buttons(self):
        return [*super().header_buttons,
                HeaderButton(_("Week calendar"), url=reverse(self.week_url_name),
                             icon_name="date")]


class CategoryDeleteView(generic.DeleteView):
    """A category that tickets refer to stays: it can be made inactive instead."""

    def form_valid(self, form):
        try:
            with transaction.atomic():
                return super().form_valid(form)
        except ProtectedError:
            messages.error(self.request, _("Tickets refer to this category, so it cannot be "
                                           "deleted. Make it inactive instead."))
            return HttpResponseRedirect(self.request.path)
