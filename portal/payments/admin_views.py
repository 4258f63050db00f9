"""Payment admin screens a viewset cannot declare: the order page with its timeline and
refunds, and finance's two actions (record an offline payment, refund). Objects come
through visible_to(user); each action checks its permission, calls one model verb and
turns a refusal into a message, keeping what was typed; nothing changes when refused."""

import datetime

from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin import messages

from portal.estates.admin_views import ObjectActionView
from portal.estates.errors import TransitionNotAllowed
from portal.estates.viewsets import IndexView, InspectView

from .admin_forms import OfflinePaymentForm, RefundForm
from .models import AmountMismatch, PaymentOrder

EVENT_LABELS = {
    "opened": _("Opened"), "prepaid": _("Sent to WeChat Pay"), "paid": _("Paid"),
    "closed": _("Closed"), "refund_requested": _("Refund requested"),
    "refunded": _("Refunded"), "refund_failed": _("Refund failed"),
}


class PaymentIndexView(IndexView):
    """Searchable by the exact order number as well as by description; times in the
    spreadsheet in the company's time zone."""

    def search_queryset(self, queryset):
        if self.is_searching and self.search_query.strip().upper().startswith(("P", "R")):
            exact = queryset.filter(out_trade_no=self.search_query.strip().upper()) \
                if queryset.model is PaymentOrder else \
                queryset.filter(out_refund_no=self.search_query.strip().upper())
            if exact.exists():
                return exact
        return super().search_queryset(queryset)

    custom_value_preprocess = {
        **IndexView.custom_value_preprocess,
        datetime.datetime: {
            IndexView.FORMAT_XLSX: lambda value: timezone.make_naive(value)
            if timezone.is_aware(value) else value,
        },
    }


class PaymentOrderInspectView(InspectView):
    template_name = "payments/admin/order_inspect.html"

    def get_context_data(self, **kwargs):
        order = self.object
        events = list(order.events.select_related("actor", "refund"))
        for event in events:
            event.label = EVENT_LABELS.get(event.action, event.action)
        return super().get_context_data(
            events=events,
            refunds=order.refunds.select_related("requested_by"),
            **kwargs,
        )


class OrderActionView(ObjectActionView):
    """A form about one payment order, posting to itself."""

    template_name = "payments/admin/order_action.html"
    form_class = None
    confirm_label = None

    def get_form(self, data=None):
        return self.form_class(data, initial=self.get_initial())

    def get_initial(self):
        return {}

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", self.get_form())
        return super().get_context_data(confirm_label=self.confirm_label, order=self.object,
                                        **kwargs)

    def post(self, request, *args, **kwargs):
        form = self.get_form(request.POST)
        if form.is_valid():
            try:
                return self.done(self.act(**form.cleaned_data))
            except AmountMismatch as error:
                form.add_error("amount", str(error))
            except TransitionNotAllowed as error:
                messages.error(request, str(error))
                return HttpResponseRedirect(self.inspect_url)
            except ValidationError as error:
                for field, errors in getattr(error, "error_dict", {None: error}).items():
                    form.add_error(field if field in form.fields else None, errors)
        messages.error(request, _("Nothing was changed: see the form below."))
        return self.render_to_response(self.get_context_data(form=form))


class RecordOfflinePaymentView(OrderActionView):
    permission_required = "payments.record_offline_payment"
    page_title = _("Record offline payment")
    form_class = OfflinePaymentForm
    confirm_label = _("Record the payment")

    def get_initial(self):
        return {"amount": self.object.amount}

    def act(self, method, amount, note):
        self.object.record_offline(method=method, amount=amount, by=self.request.user,
                                   note=note)
        return _("The payment of %(amount)s yuan is recorded.") % {"amount": amount}


class RefundView(OrderActionView):
    permission_required = "payments.refund_paymentorder"
    page_title = _("Refund")
    form_class = RefundForm
    confirm_label = _("Refund")

    def get_initial(self):
        return {"amount": self.object.refundable_amount}

    def act(self, amount, reason):
        refund = self.object.refund(amount=amount, reason=reason, by=self.request.user)
        if refund.state == refund.State.SUCCESS:
            return _("%(amount)s yuan is refunded.") % {"amount": amount}
        return _("The refund of %(amount)s yuan is asked at WeChat Pay; it is done when "
                 "WeChat Pay confirms it.") % {"amount": amount}
