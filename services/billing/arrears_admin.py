"""The arrears list (催缴) in the admin: overdue debt per house, sorted by amount or age,
filtered by community, building, least amount and least age; finance picks houses and
sends them a dunning notice (a notification and a PDF letter each, downloadable one by
one or as one PDF to print). Every query goes through ``visible_to(user)``."""

import secrets
from decimal import Decimal

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import include, path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.generic import TemplateView, View
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from portal import pdf
from portal.estates.import_admin import xlsx_response
from portal.estates.models import Building, Community, House
from portal.estates.viewsets import ScopedModelForm, ScopedModelViewSet, YesNoColumn

from .arrears import DunningNotice, NothingOwed, arrears, describe, letters_pdf
from .models import Bill
from .reminders import BillReminder, ReminderSetting
from .reports import export

VIEW = "billing.view_bill"
DUN = "billing.adjust_bill"
SETTINGS = "billing.view_remindersetting"
PER_PAGE = 50
SORT_CHOICES = [("amount", _("Largest amount first")), ("age", _("Oldest first"))]


def _require(user, permission):
    if not user.has_perm(permission) or not (user.is_superuser or hasattr(user, "staff")):
        raise PermissionDenied


class FinancePage(WagtailAdminTemplateMixin):
    """A page of the Finance menu: its title in the header's breadcrumbs."""

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]


class ArrearsFilterForm(forms.Form):
    community = forms.ModelChoiceField(queryset=Community.objects.none(), required=False,
                                       label=_("Community"),
                                       empty_label=_("All my communities"))
    building = forms.ModelChoiceField(queryset=Building.objects.none(), required=False,
                                      label=_("Building"), empty_label=_("All buildings"))
    min_amount = forms.DecimalField(label=_("Owing at least (yuan)"), required=False,
                                    min_value=Decimal(0), max_digits=12, decimal_places=2)
    min_age = forms.IntegerField(label=_("Overdue at least (days)"), required=False,
                                 min_value=0, max_value=36500)
    sort = forms.ChoiceField(label=_("Sort"), choices=SORT_CHOICES, required=False)

    def __init__(self, data, user):
        super().__init__(data)
        self.fields["community"].queryset = Community.objects.visible_to(user)
        buildings = Building.objects.visible_to(user).select_related("community")
        community = data.get("community") if data else None
        if community and str(community).isdigit():
            buildings = buildings.filter(community_id=int(community))
        self.fields["building"].queryset = buildings

    def filters(self):
        if not self.is_valid():
            return None
        cleaned = self.cleaned_data
        return {"community": cleaned.get("community"), "building": cleaned.get("building"),
                "min_amount": cleaned.get("min_amount"), "min_age": cleaned.get("min_age"),
                "sort": cleaned.get("sort") or "amount"}


class ArrearsMixin:
    def dispatch(self, request, *args, **kwargs):
        _require(request.user, VIEW)
        self.form = ArrearsFilterForm(request.GET or None, request.user)
        return super().dispatch(request, *args, **kwargs)

    def rows(self):
        filters = self.form.filters() if self.form.is_bound else {"sort": "amount"}
        if filters is None:
            return None
        return arrears(Bill.objects.visible_to(self.request.user), **filters)


class ArrearsView(ArrearsMixin, FinancePage, TemplateView):
    page_title = _("Arrears")
    header_icon = "warning"
    template_name = "billing/admin/arrears.html"

    def get_context_data(self, **kwargs):
        rows = self.rows()
        page = None
        if rows is not None:
            page = Paginator(rows, PER_PAGE).get_page(self.request.GET.get("p"))
            page.described = describe(page.object_list)
        query = self.request.GET.copy()
        query.pop("p", None)
        return super().get_context_data(
            form=self.form, page=page, query=query.urlencode(),
            can_dun=self.request.user.has_perm(DUN), request_key=secrets.token_hex(16),
            **kwargs)


class ArrearsExportView(ArrearsMixin, View):
    def get(self, request):
        rows = self.rows()
        if rows is None:
            messages.error(request, _("Correct the filters first."))
            return HttpResponseRedirect(reverse("billing_arrears:index"))
        today = timezone.localdate()
        return xlsx_response(export.arrears_workbook(describe(rows), today),
                             f"arrears-{today:%Y%m%d}.xlsx")


class DunningSendView(View):
    """POST: send a dunning notice to each chosen house that owes something."""

    def post(self, request):
        _require(request.user, DUN)
        back = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(back, allowed_hosts=None):
            back = reverse("billing_arrears:index")
        ids = [value for value in request.POST.getlist("house") if value.isdigit()]
        key = request.POST.get("request_key", "")
        if not ids:
            messages.error(request, _("Choose at least one house to send a notice to."))
            return HttpResponseRedirect(back)
        if not key or len(key) > 64:
            messages.error(request, _("The form has expired; open the list again."))
            return HttpResponseRedirect(back)
        houses = list(House.objects.visible_to(request.user).filter(pk__in=ids)
                      .select_related("unit__building"))
        if len(houses) != len(set(ids)):
            raise PermissionDenied
        sent, skipped = [], []
        for house in houses:
            try:
                notice, _created = DunningNotice.send(house, by=request.user, request_key=key)
                sent.append(notice)
            except NothingOwed:
                skipped.append(house.label)
        if skipped:
            messages.warning(request, _("Nothing overdue, no notice sent: %(houses)s") % {
                "houses": ", ".join(skipped)})
        if not sent:
            return HttpResponseRedirect(back)
        messages.success(request, ngettext(
            "Dunning notice sent to %(count)d house.",
            "Dunning notices sent to %(count)d houses.", len(sent)) % {"count": len(sent)})
        return HttpResponseRedirect(f"{reverse('billing_arrears:notices')}?batch={key}")


class NoticesView(FinancePage, TemplateView):
    page_title = _("Dunning notices")
    header_icon = "mail"
    template_name = "billing/admin/arrears_notices.html"

    def dispatch(self, request, *args, **kwargs):
        _require(request.user, VIEW)
        return super().dispatch(request, *args, **kwargs)

    def notices(self):
        notices = (DunningNotice.objects.visible_to(self.request.user)
                   .select_related("house__unit__building", "community", "sent_by"))
        batch = self.request.GET.get("batch", "")
        if batch:
            notices = notices.filter(request_key=batch)
        return notices, batch

    def get_context_data(self, **kwargs):
        notices, batch = self.notices()
        page = Paginator(notices, PER_PAGE).get_page(self.request.GET.get("p"))
        return super().get_context_data(page=page, batch=batch, **kwargs)


class LetterView(View):
    def get(self, request, pk):
        _require(request.user, VIEW)
        notice = get_object_or_404(DunningNotice.objects.visible_to(request.user)
                                   .select_related("house__unit__building",
                                                   "community__company"), pk=pk)
        return pdf.response(letters_pdf([notice]), f"dunning-{notice.number}.pdf")


class CombinedLettersView(View):
    """One PDF with the letters of one sending (``batch``) or of the chosen notices."""

    def get(self, request):
        _require(request.user, VIEW)
        notices = (DunningNotice.objects.visible_to(request.user)
                   .select_related("house__unit__building", "community__company")
                   .order_by("community__name", "house__building__name", "house__unit__name",
                             "house__number"))
        batch = request.GET.get("batch", "")
        ids = [value for value in request.GET.getlist("notice") if value.isdigit()]
        if batch:
            notices = notices.filter(request_key=batch)
        elif ids:
            notices = notices.filter(pk__in=ids)
        else:
            messages.error(request, _("Choose the notices to print."))
            return HttpResponseRedirect(reverse("billing_arrears:notices"))
        notices = list(notices[:500])
        if not notices:
            messages.error(request, _("There are no such notices."))
            return HttpResponseRedirect(reverse("billing_arrears:notices"))
        return pdf.response(letters_pdf(notices),
                            f"dunning-letters-{timezone.localdate():%Y%m%d}.pdf")


class ReminderSettingForm(ScopedModelForm):
    class Meta:
        model = ReminderSetting
        fields = ["community", "enabled", "days_before", "on_overdue"]


class ReminderSettingViewSet(ScopedModelViewSet):
    """Per community: whether and when owners are reminded of their bills (a community
    without a row is reminded 3 days before and when overdue)."""

    model = ReminderSetting
    name = "bill_reminder_settings"
    icon = "time"
    add_to_admin_menu = False
    form_class = ReminderSettingForm
    list_select_related = ["community"]
    list_display = ["__str__", YesNoColumn.for_field(ReminderSetting, "enabled"),
                    "days_before", YesNoColumn.for_field(ReminderSetting, "on_overdue")]
    copy_view_enabled = False


class RemindersView(FinancePage, TemplateView):
    """Every reminder sent (due soon, overdue, dunning), newest first."""

    page_title = _("Reminders sent")
    header_icon = "time"
    template_name = "billing/admin/arrears_reminders.html"

    def dispatch(self, request, *args, **kwargs):
        _require(request.user, VIEW)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        reminders = (BillReminder.objects.visible_to(self.request.user)
                     .select_related("bill__house__unit__building", "community", "dunning"))
        kind = self.request.GET.get("kind", "")
        if kind in BillReminder.Kind.values:
            reminders = reminders.filter(kind=kind)
        page = Paginator(reminders, PER_PAGE).get_page(self.request.GET.get("p"))
        return super().get_context_data(page=page, kind=kind, kinds=BillReminder.Kind.choices,
                                        **kwargs)


reminder_settings = ReminderSettingViewSet()


@hooks.register("register_admin_viewset")
def register_reminder_settings():
    return reminder_settings


urls = [
    path("", ArrearsView.as_view(), name="index"),
    path("export/", ArrearsExportView.as_view(), name="export"),
    path("dun/", DunningSendView.as_view(), name="dun"),
    path("notices/", NoticesView.as_view(), name="notices"),
    path("notices/<int:pk>/letter.pdf", LetterView.as_view(), name="letter"),
    path("notices/letters.pdf", CombinedLettersView.as_view(), name="letters"),
    path("reminders/", RemindersView.as_view(), name="reminders"),
]


@hooks.register("register_admin_urls")
def register_arrears_urls():
    return [path("billing/arrears/", include((urls, "billing_arrears")))]


class PermissionMenuItem(MenuItem):
    def __init__(self, *args, permission, **kwargs):
        super().__init__(*args, **kwargs)
        self.permission = permission

    def is_shown(self, request):
        return request.user.has_perm(self.permission)


def finance_menu_items():
    from .reports_admin import RECONCILE

    return [
        PermissionMenuItem(_("Arrears"), reverse("billing_arrears:index"), icon_name="warning",
                           order=100, permission=VIEW),
        PermissionMenuItem(_("Dunning notices"), reverse("billing_arrears:notices"),
                           icon_name="mail", order=200, permission=VIEW),
        PermissionMenuItem(_("Reminders sent"), reverse("billing_arrears:reminders"),
                           icon_name="time", order=250, permission=VIEW),
        PermissionMenuItem(_("Reminder settings"),
                           reverse(reminder_settings.get_url_name("index")), icon_name="cog",
                           order=260, permission=SETTINGS),
        PermissionMenuItem(_("Collection report"), reverse("billing_reports:collection"),
                           icon_name="table", order=300, permission=VIEW),
        PermissionMenuItem(_("Reconciliation"), reverse("billing_reports:reconcile"),
                           icon_name="tasks", order=400, permission=RECONCILE),
    ]


class FinanceMenuItem(SubmenuMenuItem):
    def is_shown(self, request):
        return request.user.has_perm(VIEW)


@hooks.register("register_admin_menu_item")
def register_finance_menu():
    return FinanceMenuItem(_("Finance"), Menu(items=finance_menu_items()), icon_name="table",
                           order=215)
