"""Admin screens of the customer-service desk that a viewset cannot declare: the queue's
search by ticket number and its export, the ticket page with its timeline and action
forms, and the logged call to the owner. Every object comes through visible_to(user)
(the scoped viewset does it before these views run); each action calls one model verb
and turns a refusal into a message."""

import datetime

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.http import HttpResponseRedirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.paginator import WagtailPaginator
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
from .models import FINAL_STATES, Ticket
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


# What a row of the queue shows, and nothing more is read (the export reads everything).
QUEUE_ROW_FIELDS = [
    "id", "kind", "created_at", "state", "urgency", "response_due", "completion_due",
    "public_area", "anonymous", "contact_phone", "category__name",
    "house__number", "house__unit__name", "house__unit__building__name", "assignee__name",
]
QUEUE_ROW_RELATED = ["category", "house__unit__building", "assignee"]


class CappedPaginator(WagtailPaginator):
    """Counts at most ``cap`` + 1 matches: the closed tickets of a company run into the
    hundreds of thousands, and nobody pages that far (they narrow the filters). Past the
    cap the page says "more than 10,000"; the last page offered is the cap's."""

    @cached_property
    def cap(self):
        return getattr(settings, "TICKET_QUEUE_COUNT_CAP", 10_000)

    @cached_property
    def count(self):
        # Unordered: PostgreSQL counts from the index alone, without walking it in order.
        return self.object_list.order_by()[:self.cap + 1].count()

    @cached_property
    def is_capped(self):
        return self.count > self.cap

    def page(self, number):
        if not self.is_capped:
            return super().page(number)
        # Django ends the last page at the count, which is not the end here.
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        return self._get_page(self.object_list[bottom:bottom + self.per_page], number, self)


class TicketIndexView(IndexView):
    """The queue: searchable by the number owners quote (BX20261123-1234) as well as by
    description; the export hides who filed an anonymous complaint.

    Its rows are written in one pass (queue_row, into services/admin/
    ticket_queue_results.html) rather than by a component per cell and a drop-down of
    buttons per row; they read only the columns shown, and the count stops at a cap: the
    desk opens this page all day, over a million tickets."""

    results_template_name = "services/admin/ticket_queue_results.html"
    paginator_class = CappedPaginator

    def get_base_queryset(self):
        queryset = super().get_base_queryset()
        if self.is_export:
            return queryset
        return queryset.select_related(None).select_related(*QUEUE_ROW_RELATED).only(
            *QUEUE_ROW_FIELDS)

    def get_context_data(self, *args, **kwargs):
        context = super().get_context_data(*args, **kwargs)
        if not self.is_export:
            context["queue_rows"] = self.queue_rows(context["object_list"])
            paginator = context.get("paginator")
            context["count_capped"] = bool(paginator and getattr(paginator, "is_capped", False))
            context["count_cap"] = paginator.cap if context["count_capped"] else None
            if self.results_only and self.filters and self.filters.offers_buildings_by_community:
                # The buildings offered follow the community chosen: the filters are sent
                # again with the results the drill-down fetches.
                context["render_filters_fragment"] = True
        return context

    def queue_rows(self, tickets):
        """Each row as HTML, written here in one pass: a template loop costs about as much
        per cell as the SQL of the whole page."""
        user = self.request.user
        may_call = user.has_perm(HANDLE)
        inspect = reverse("tickets:inspect", args=[0]).rsplit("0/", 1)[0]
        call = reverse("tickets:call", args=[0]).rsplit("0/", 1)[0]
        words = {
            "states": {value: str(label) for value, label in Ticket.State.choices},
            "urgencies": {value: str(label) for value, label in Ticket.Urgency.choices},
            "overdue": str(_("Overdue")), "call": str(_("Call the owner")),
            "warning_icon": render_to_string("wagtailadmin/shared/icon.html", {
                "name": "warning", "classname": "w-w-4 w-h-4"}),
            "call_icon": render_to_string("wagtailadmin/shared/icon.html", {
                "name": "mobile-alt", "classname": "w-w-4 w-h-4"}),
        }
        return [queue_row(
            ticket, f"{inspect}{ticket.pk}/",
            f"{call}{ticket.pk}/" if may_call and not ticket.anonymous
            and ticket.contact_phone else "", words) for ticket in tickets]

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


CRITICAL = "color: var(--w-color-critical-200)"


def _local(moment, pattern):
    return timezone.localtime(moment).strftime(pattern) if moment else ""


def queue_row(ticket, url, call_url, words):
    """One <tr> of the queue: number (to the ticket page) with the call button when the
    user may call, category, location, state badge, urgency, worker, submitted at, due
    (flagged red once overdue: .ticket-overdue)."""
    call = format_html(
        '<ul class="actions"><li><a class="button button-small button-secondary" '
        'href="{}" title="{}">{}<span class="w-sr-only">{}</span></a></li></ul>',
        call_url, words["call"], words["call_icon"], words["call"]) if call_url else ""
    urgency = words["urgencies"].get(ticket.urgency, ticket.urgency)
    if ticket.urgency == Ticket.Urgency.URGENT:
        urgency = format_html('<strong style="{}">{}</strong>', CRITICAL, urgency)
    due = _local(ticket.completion_due, "%m-%d %H:%M")
    if ticket.is_overdue:
        due = format_html(
            '<strong class="ticket-overdue" style="{}; white-space: nowrap">{} {}</strong>'
            '<br><small style="{}">{}</small>', CRITICAL, words["warning_icon"], due,
            CRITICAL, words["overdue"])
    elif due:
        due = format_html('<span style="white-space: nowrap">{}</span>', due)
    return format_html(
        '<tr><td class="ticket-number title"><div class="title-wrapper"><a href="{}">{}</a>'
        '</div>{}</td><td>{}</td><td>{}</td>'
        '<td><span class="w-status{}" data-state="{}">{}</span></td><td>{}</td><td>{}</td>'
        '<td><span style="white-space: nowrap">{}</span></td><td>{}</td></tr>',
        url, ticket.reference, call, ticket.category.name, ticket.location,
        "" if ticket.state in FINAL_STATES else " w-status--primary", ticket.state,
        words["states"].get(ticket.state, ticket.state), urgency,
        ticket.assignee.name if ticket.assignee_id else "",
        _local(ticket.created_at, "%Y-%m-%d %H:%M"), due)


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
    """The contact's full number as a tel: link, shown only on request and logged: the
    page asks first, and only the confirming POST shows and records it (a GET, which a
    link preview or a crawler may send, records nothing)."""

    permission_required = HANDLE
    page_title = _("Call the owner")
    template_name = "services/admin/ticket_call.html"

    def _refusal(self):
        if reporter_hidden(self.object, self.request.user) or not self.object.contact_phone:
            messages.error(self.request, _("This ticket has no number you may call."))
            return HttpResponseRedirect(self.inspect_url)
        return None

    def get(self, request, *args, **kwargs):
        return self._refusal() or super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        return self._refusal() or self.render_to_response(self.get_context_data(
            phone=reveal_contact_phone(self.object, by=request.user)))

    def get_context_data(self, **kwargs):
        return super().get_context_data(
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
