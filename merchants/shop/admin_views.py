"""Admin views a viewset cannot configure: an order's page with its lines, timeline and
the buttons of the steps the user may take (start delivery, done, cancel a cash on
delivery order), an after-sale request's page with approve / reject, and the merchant's
daily summary with its .xlsx export. Everything is read through ``visible_to(user)``."""

from datetime import timedelta

from django import forms
from django.contrib.admin.utils import quote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from portal.estates.admin_views import ObjectActionView
from portal.estates.errors import TransitionNotAllowed
from portal.estates.import_admin import xlsx_response
from portal.estates.viewsets import InspectView

from . import summary
from .admin_forms import StockForm
from .models import Order, Product, State

HANDLE = "shop.handle_order"


class OrderInspectView(InspectView):
    template_name = "shop/admin/order_inspect.html"
    steps = {
        "start_delivery": (_("Start delivery"), _("The order is on its way.")),
        "complete": (_("Mark done"), _("The order is done.")),
        "cancel": (_("Cancel the order"), _("The order is cancelled; its stock is back "
                                            "on sale.")),
    }

    def available_steps(self, order, user):
        if not user.has_perm(HANDLE) or not order.is_handler(user):
            return []
        steps = []
        if order.state == State.AWAITING_DELIVERY:
            steps.append("start_delivery")
        if order.state == State.DELIVERING:
            steps.append("complete")
        if order.cancel_refusal(user) is None:
            steps.append("cancel")
        return [(step, self.steps[step][0]) for step in steps]

    def get_context_data(self, **kwargs):
        order = self.object
        return super().get_context_data(
            order=order, lines=order.lines.all(),
            events=order.events.select_related("actor"),
            after_sales=order.after_sales.all(),
            steps=self.available_steps(order, self.request.user), **kwargs)

    def post(self, request, *args, **kwargs):
        if not request.user.has_perm(HANDLE):
            raise PermissionDenied
        order = self.get_object()
        step = request.POST.get("step")
        if step not in self.steps:
            messages.error(request, gettext("Choose a step."))
            return HttpResponseRedirect(request.path)
        try:
            if step == "cancel":
                order.cancel(by=request.user, reason=request.POST.get("reason", ""))
            else:
                getattr(order, step)(by=request.user)
        except TransitionNotAllowed as error:
            messages.error(request, str(error))
        else:
            messages.success(request, str(self.steps[step][1]))
        return HttpResponseRedirect(request.path)


class AfterSaleInspectView(InspectView):
    template_name = "shop/admin/after_sale_inspect.html"

    def get_context_data(self, **kwargs):
        request = self.object
        handles = (self.request.user.has_perm(HANDLE)
                   and request.order.is_handler(self.request.user))
        return super().get_context_data(
            after_sale=request, can_decide=handles and request.state == request.State.REQUESTED,
            can_retry=handles and request.can_retry, answer=kwargs.pop("answer", ""),
            **kwargs)

    def post(self, request, *args, **kwargs):
        if not request.user.has_perm(HANDLE):
            raise PermissionDenied
        self.object = after_sale = self.get_object()
        answer = request.POST.get("answer", "")
        decision = request.POST.get("decision")
        # Only a button the page offers decides: anything else (none) changes nothing.
        act = {"approve": lambda: after_sale.approve(by=request.user, answer=answer),
               "retry": lambda: after_sale.retry_refund(by=request.user),
               "reject": lambda: after_sale.reject(by=request.user, answer=answer)}.get(decision)
        if act is None:
            return HttpResponseRedirect(request.path)
        try:
            act()
        except (TransitionNotAllowed, ValidationError) as error:
            # A refused refund keeps the approval: the page shows it, and the retry.
            text = error.messages[0] if isinstance(error, ValidationError) else str(error)
            messages.error(request, text)
            return self.render_to_response(self.get_context_data(answer=answer))
        messages.success(request, gettext("Approved: the money is being refunded.")
                         if decision in ("approve", "retry")
                         else gettext("The request is rejected."))
        return HttpResponseRedirect(request.path)


class SummaryForm(forms.Form):
    start = forms.DateField(label=_("From"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("Until"), required=False,
                          widget=forms.DateInput(attrs={"type": "date"}))

    def range(self):
        today = timezone.localdate()
        data = self.cleaned_data if self.is_valid() else {}
        end = data.get("end") or today
        start = data.get("start") or end - timedelta(days=29)
        return (start, end) if start <= end else (end, start)


class DailySummaryView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "shop/admin/daily_summary.html"
    page_title = _("Daily order summary")
    header_icon = "date"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("shop.view_order"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def days(self):
        self.form = SummaryForm(self.request.GET or None)
        start, end = self.form.range()
        days = summary.daily(Order.objects.visible_to(self.request.user), start, end)
        return start, end, days

    def get(self, request, *args, **kwargs):
        start, end, days = self.days()
        if request.GET.get("export") == "xlsx":
            return xlsx_response(summary.workbook(days), f"orders-{start}-{end}.xlsx")
        return self.render_to_response(self.get_context_data(
            form=self.form, days=days, total=summary.totals(days), start=start, end=end))


class ProductStockView(ObjectActionView):
    """Stock and on/off: changed at once, without the review the product's content goes
    through (an order takes stock; a sold-out product must go off now)."""

    model = Product
    permission_required = "shop.change_product"
    page_title = _("Stock and sale")
    template_name = "shop/admin/product_stock.html"

    @property
    def inspect_url(self):
        return reverse("shop_products:edit", args=[quote(self.object.pk)])

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", StockForm(initial={
            "stock": self.object.stock, "seen_stock": self.object.stock,
            "active": self.object.active}))
        return super().get_context_data(**kwargs)

    def post(self, request, *args, **kwargs):
        form = StockForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        try:
            self.object.set_stock_and_sale(form.cleaned_data["stock"],
                                           form.cleaned_data["active"], by=request.user,
                                           seen=form.cleaned_data["seen_stock"])
        except (TransitionNotAllowed, ValidationError) as error:
            return self.refused(error)
        messages.success(request, gettext("Stock and sale are updated."))
        return HttpResponseRedirect(reverse(self.index_url_name))
