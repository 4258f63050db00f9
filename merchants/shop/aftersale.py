"""After-sale requests (售后): a paid online order cannot be cancelled, but its owner may
ask for the money back, saying why; the merchant or property staff approve it (the
payment is refunded through portal.payments) or reject it with an answer.

requested → approved → refunded (when the refund settles), or requested → rejected.
One open request per order at a time (a partial unique constraint says so too)."""

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from merchants.models import MerchantPage
from portal.estates.errors import TransitionNotAllowed
from portal.estates.models import Community

from . import telling
from .models import MONEY, MerchantScopedQuerySet, Order
from .models import State as OrderState

OPEN = ["requested", "approved"]
AFTER_PAYMENT = [OrderState.AWAITING_DELIVERY, OrderState.DELIVERING, OrderState.DONE]


class AfterSaleQuerySet(MerchantScopedQuerySet):
    def for_resident(self, resident):
        return self.filter(order__buyer_id=resident.user_id)


class AfterSale(models.Model):
    class State(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        APPROVED = "approved", _("Approved, refunding")
        REFUNDED = "refunded", _("Refunded")
        REJECTED = "rejected", _("Rejected")

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="after_sales",
                              verbose_name=_("order"))
    merchant = models.ForeignKey(MerchantPage, on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("community"))
    reason = models.CharField(_("reason"), max_length=200)
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)
    state = models.CharField(_("state"), max_length=10, choices=State.choices,
                             default=State.REQUESTED)
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+",
                                   verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    answer = models.CharField(_("answer"), max_length=200, blank=True)
    refund = models.OneToOneField("payments.Refund", on_delete=models.PROTECT, null=True,
                                  blank=True, related_name="+", verbose_name=_("refund"))

    objects = AfterSaleQuerySet.as_manager()
    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = _("after-sale request")
        verbose_name_plural = _("after-sale requests")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["order"], condition=Q(state__in=OPEN),
                                    name="shop_one_open_after_sale_per_order"),
        ]

    def __str__(self):
        return f"{self.order} {self.get_state_display()}"

    @classmethod
    def ask(cls, order, *, by, reason):
        """The owner asks for the money of a paid online order back."""
        reason = (reason or "").strip()
        if not reason:
            raise TransitionNotAllowed(gettext("Say why you ask for a refund."))
        with transaction.atomic():
            current = order._locked()
            if by is None or by.pk != current.buyer_id:
                raise TransitionNotAllowed(gettext("Only the owner who ordered may ask."))
            if not current.is_paid_online or current.state not in AFTER_PAYMENT:
                raise TransitionNotAllowed(gettext(
                    "Only orders paid online can be refunded after sale; cancel a cash on "
                    "delivery order instead."))
            amount = current.payment.refundable_amount
            if amount <= 0:
                raise TransitionNotAllowed(gettext("This order is refunded already."))
            try:
                with transaction.atomic():
                    request = cls.objects.create(
                        order=current, merchant_id=current.merchant_id,
                        community_id=current.community_id, reason=reason[:200],
                        amount=amount)
            except IntegrityError:
                raise TransitionNotAllowed(gettext(
                    "An after-sale request for this order is already open.")) from None
            current._record("aftersale_requested", by=by, from_state=current.state,
                            note=reason[:200])
            telling.tell(current, "aftersale_requested")
        return request

    def _decide(self, by, action, to, answer=""):
        current = AfterSale.objects.select_for_update().get(pk=self.pk)
        order = self.order._locked()
        if not order.is_handler(by):
            raise TransitionNotAllowed(gettext("Only the merchant or property staff may "
                                               "decide."))
        if current.state != AfterSale.State.REQUESTED:
            raise TransitionNotAllowed(gettext("This request is %(state)s already.")
                                       % {"state": current.get_state_display()})
        current.state = to
        current.decided_by = by
        current.decided_at = timezone.now()
        current.answer = (answer or "").strip()[:200]
        current.save(update_fields=["state", "decided_by", "decided_at", "answer"])
        order._record(action, by=by, from_state=order.state, note=current.answer)
        telling.tell(order, action)
        self.__dict__.update({f.attname: getattr(current, f.attname)
                              for f in self._meta.concrete_fields})
        return order

    def approve(self, by, answer=""):
        """Refund the money (through WeChat Pay if it was paid there)."""
        with transaction.atomic():
            order = self._decide(by, "aftersale_approved", AfterSale.State.APPROVED, answer)
            refund = order.payment.refund(amount=self.amount, reason=self.reason[:80], by=by)
            # A demo refund settles at once (refund_settled linked it); WeChat Pay's later.
            AfterSale.objects.filter(pk=self.pk, refund=None).update(refund=refund)
            self.refresh_from_db()

    def reject(self, by, answer):
        if not (answer or "").strip():
            raise TransitionNotAllowed(gettext("Say why the request is rejected."))
        with transaction.atomic():
            self._decide(by, "aftersale_rejected", AfterSale.State.REJECTED, answer)


def approved_request(payment):
    """The approved request whose refund this payment order is giving (or None)."""
    return (AfterSale.objects.select_for_update()
            .filter(order__payment=payment, state=AfterSale.State.APPROVED,
                    refund__isnull=True).first())


def refund_settled(refund):
    """The refund an approved request asked for is back with the owner."""
    request = (AfterSale.objects.select_for_update()
               .filter(Q(refund=refund) | Q(refund=None), order__payment_id=refund.order_id,
                       state=AfterSale.State.APPROVED).first())
    if request is None:
        return
    request.state = AfterSale.State.REFUNDED
    request.refund = refund
    request.save(update_fields=["state", "refund"])
    order = request.order._locked()
    order._record("refunded", by=refund.requested_by, from_state=order.state,
                  note=refund.out_refund_no)
    telling.tell(order, "refunded")
