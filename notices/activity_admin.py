"""Activity sign-ups in the admin: per activity the list with its head-count, check-in
on the day and an .xlsx export (phones masked). Every activity and sign-up is loaded
through visible_to(user)."""

from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import Case, Count, Q, Sum, Value, When
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.views.generic import TemplateView, View
from openpyxl import Workbook
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from portal.estates.errors import TransitionNotAllowed
from portal.spreadsheet_text import text_row

from .admin_views import PER_PAGE, ScopedObjectMixin, StaffOnlyMixin
from .models import ActivityPage, ActivitySignup

CONFIRMED = ActivitySignup.State.CONFIRMED
WAITLISTED = ActivitySignup.State.WAITLISTED
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class HeadCount:
    confirmed_signups: int
    confirmed_people: int
    waitlisted_signups: int
    waitlisted_people: int
    checked_in_people: int


def head_count(signups):
    figures = signups.aggregate(
        confirmed_signups=Count("pk", filter=Q(state=CONFIRMED)),
        confirmed_people=Sum("people", filter=Q(state=CONFIRMED), default=0),
        waitlisted_signups=Count("pk", filter=Q(state=WAITLISTED)),
        waitlisted_people=Sum("people", filter=Q(state=WAITLISTED), default=0),
        checked_in_people=Sum("people", filter=Q(state=CONFIRMED, checked_in_at__isnull=False),
                              default=0),
    )
    return HeadCount(**figures)


# Confirmed first, then the waitlist in its order, the cancelled last.
_STATE_ORDER = Case(When(state=CONFIRMED, then=Value(0)), When(state=WAITLISTED, then=Value(1)),
                    default=Value(2))


def signups_of(activity, user):
    return (ActivitySignup.objects.visible_to(user).filter(activity=activity)
            .select_related("resident", "house__unit__building")
            .order_by(_STATE_ORDER, "position", "created_at", "pk"))


class ActivityIndexView(StaffOnlyMixin, WagtailAdminTemplateMixin, TemplateView):
    page_title = _("Activity sign-ups")
    header_icon = "date"
    template_name = "notices/admin/activity_index.html"

    def get_context_data(self, **kwargs):
        activities = (ActivityPage.objects.visible_to(self.request.user)
                      .select_related("community").order_by("-starts_at", "-pk"))
        page = Paginator(activities, PER_PAGE).get_page(self.request.GET.get("p"))
        rows = [(activity, head_count(signups_of(activity, self.request.user)))
                for activity in page]
        return super().get_context_data(rows=rows, page_obj=page, **kwargs)


class ActivityMixin(ScopedObjectMixin):
    """A view about one activity the user may see."""

    header_icon = "date"
    model = ActivityPage
    index_url_name = "notices_activities:index"
    index_label = _("Activity sign-ups")

    @property
    def activity(self):
        return self.object

    def get_page_title(self):
        return _("Sign-ups: %(title)s") % {"title": self.activity.title}

    def signups(self):
        return signups_of(self.activity, self.request.user)


class SignupListView(ActivityMixin, TemplateView):
    template_name = "notices/admin/activity_signups.html"

    def get_context_data(self, **kwargs):
        signups = self.signups()
        today = timezone.localdate()
        return super().get_context_data(
            activity=self.activity,
            head_count=head_count(signups),
            signups=Paginator(signups, PER_PAGE).get_page(self.request.GET.get("p")),
            on_the_day=(timezone.localdate(self.activity.starts_at) <= today
                        <= timezone.localdate(self.activity.ends_at)),
            **kwargs)


class CheckInView(ActivityMixin, View):
    def post(self, request, *args, **kwargs):
        signup = get_object_or_404(self.signups(), pk=kwargs["signup_pk"])
        try:
            signup.check_in(by=request.user)
        except TransitionNotAllowed as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("%(name)s checked in.") % {"name": signup.resident.name})
        return redirect("notices_activities:signups", pk=self.activity.pk)


class ExportView(ActivityMixin, View):
    """The sign-ups as an .xlsx sheet for the day's helpers; phones masked."""

    columns = [pgettext_lazy("person", "Name"), _("House"), _("People"), _("Contact phone"),
               _("Note"), _("State"),
               _("Waitlist place"), _("Signed up at"), _("Checked in at")]

    def get(self, request, *args, **kwargs):
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = str(_("Sign-ups"))
        sheet.append([str(column) for column in self.columns])
        places = {}
        for signup in self.signups():
            if signup.state == WAITLISTED:
                places[signup.pk] = len(places) + 1
            sheet.append(text_row(sheet, [
                signup.resident.name,
                signup.house.label if signup.house else "",
                signup.people,
                signup.masked_phone,
                signup.note,
                str(signup.get_state_display()),
                places.get(signup.pk, ""),
                _local(signup.created_at),
                _local(signup.checked_in_at),
            ]))
        response = HttpResponse(content_type=XLSX)
        response["Content-Disposition"] = (
            f'attachment; filename="activity-{self.activity.pk}-signups.xlsx"')
        workbook.save(response)
        return response


def _local(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""
