"""After-sale requests (售后): a paid online order cannot be cancelled, but its owner may
ask for the money back, saying why; the merchant or property staff approve it (the
payment is refunded through portal.payments) or reject it with an answer.

requested → approved → refunded (when the refund settles), or requested → rejected.
approved → refund_failed when WeChat Pay refuses the refund (its reason is kept for the
staff); retrying asks again (refund_failed → approved). One open request per order at a
time (a partial unique constraint says so too).

The approval is committed before WeChat Pay is asked, as portal.payments commits the
refund's own row before its request goes out: a refusal is recorded, never rolled back
with the approval, and no row stays locked while WeChat Pay answers."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from merchants.models import MerchantPage
from portal.estates.errors import TransitionNotAllowed
from portal.estates.models import Community
from portal.payments.models import Refund

from . import telling
from .models import MONEY, MerchantScopedQuerySet, Order
from .models import State as OrderState

OPEN = ["requested", "approved", "refund_failed"]
AFTER_PAYMENT = [OrderState.AWAITING_DELIVERY, OrderState.DELIVERING, OrderState.DONE]


class AfterSaleQuerySet(MerchantScopedQuerySet):
    def for_resident(self, resident):
        return self.filter(order__buyer_id=resident.user_id)


class AfterSale(models.Model):
    class State(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        APPROVED = "approved", _("Approved, refunding")
        REFUND_FAILED = "refund_failed", _("Refund failed, to be retried")
        REFUNDED = "refunded", _("Refunded")
        REJECTED = "rejected", _("Rejected")

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="after_sales",
                              verbose_name=_("order"))
    merchant = models.ForeignKey(MerchantPage, on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("community"))
    reason = models.CharField(_("reason"), max_length=200)
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)
    state = models.CharField(_("state"), max_length=16, choices=State.choices,
                             default=State.REQUESTED)
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+",
                                   verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    answer = models.CharField(_("answer"), max_length=200, blank=True)
    failure = models.CharField(_("why the refund failed"), max_length=200, blank=True)
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

    @property
    def can_retry(self):
        """Refused by WeChat Pay when asked, or closed by it later (its notification)."""
        if self.state == AfterSale.State.REFUND_FAILED:
            return True
        return (self.state == AfterSale.State.APPROVED and self.refund is not None
                and self.refund.state == Refund.State.CLOSED)

    def _locked(self):
        return AfterSale.objects.select_for_update().get(pk=self.pk)

    def _take(self, current):
        self.__dict__.update({f.attname: getattr(current, f.attname)
                              for f in self._meta.concrete_fields})
        self._state.fields_cache.pop("refund", None)

    def _decide(self, by, action, to, answer=""):
        current = self._locked()
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
        self._take(current)
        return order

    def approve(self, by, answer=""):
        """Refund the money (through WeChat Pay if it was paid there). Raises RefundFailed
        when the approval is kept but the refund did not go through."""
        with transaction.atomic():
            self._decide(by, "aftersale_approved", AfterSale.State.APPROVED, answer)
        self._ask_refund(by)

    def retry_refund(self, by):
        """Ask for the refund again once the cause of its failure is fixed."""
        with transaction.atomic():
            current = self._locked()
            order = self.order._locked()
            if not order.is_handler(by):
                raise TransitionNotAllowed(gettext("Only the merchant or property staff may "
                                                   "do this."))
            if not current.can_retry:
                raise TransitionNotAllowed(gettext("This request is %(state)s; its refund "
                                                   "cannot be asked again now.")
                                           % {"state": current.get_state_display()})
            current.state = AfterSale.State.APPROVED
            current.refund = None
            current.failure = ""
            current.save(update_fields=["state", "refund", "failure"])
            order._record("refund_retried", by=by, from_state=order.state)
            self._take(current)
        self._ask_refund(by)

    def _ask_refund(self, by):
        payment = Order.objects.get(pk=self.order_id).payment
        try:
            refund = payment.refund(amount=self.amount, reason=self.reason[:80], by=by)
        except (TransitionNotAllowed, ValidationError) as error:
            failure = error.messages[0] if isinstance(error, ValidationError) else str(error)
            self._refund_failed(failure, by)
            raise RefundFailed(gettext("The request is approved, but the refund did not go "
                                       "through (%(failure)s). Retry it once this is fixed.")
                               % {"failure": failure}) from None
        # A demo refund settles at once (refund_settled linked it); WeChat Pay's later.
        AfterSale.objects.filter(pk=self.pk, state=AfterSale.State.APPROVED,
                                 refund=None).update(refund=refund)
        refund.refresh_from_db()
        if refund.state == Refund.State.CLOSED:
            # Its closing notification came before the link: refund_closed missed it.
            self._refund_failed(refund.failure, by, refund=refund)
        self.refresh_from_db()

    def _refund_failed(self, failure, by, refund=None):
        """The refund this approved request asked for (``refund``, or one refused when
        asked, before it was linked) did not go through: it waits for a retry."""
        with transaction.atomic():
            current = self._locked()
            order = self.order._locked()
            if (current.state != AfterSale.State.APPROVED
                    or current.refund_id != (refund.pk if refund else None)):
                return
            current.state = AfterSale.State.REFUND_FAILED
            current.failure = failure[:200]
            current.save(update_fields=["state", "failure"])
            order._record("refund_failed", by=by, from_state=order.state)
            telling.tell(order, "refund_failed", owner=False)
            self._take(current)

    def reject(self, by, answer):
        if not (answer or "").strip():
            raise TransitionNotAllowed(gettext("Say why the request is rejected."))
        with transaction.atomic():
            self._decide(by, "aftersale_rejected", AfterSale.State.REJECTED, answer)


def refund_closed(refund):
    """WeChat Pay closed the refund an approved request had asked for: the request waits
    for a retry, and the merchant is told."""
    request = AfterSale.objects.filter(refund=refund).first()
    if request is not None:
        request._refund_failed(refund.failure, by=None, refund=refund)


class RefundFailed(TransitionNotAllowed):
    """The request is approved but its refund was refused: it waits for a retry."""


def approved_request(payment, amount):
    """The approved request whose refund of ``amount`` this payment order is giving (or
    None): nothing else refunds a merchant order."""
    return (AfterSale.objects.select_for_update()
            .filter(order__payment=payment, state=AfterSale.State.APPROVED,
                    refund__isnull=True, amount=amount).first())


def refund_settled(refund):
    """The refund a request asked for is back with the owner. A request marked failed
    counts too: finance's refund of the same amount, racing the request's own, is the
    one that settled it."""
    request = (AfterSale.objects.select_for_update()
               .filter(Q(refund=refund) | Q(refund=None), order__payment_id=refund.order_id,
                       state__in=[AfterSale.State.APPROVED, AfterSale.State.REFUND_FAILED])
               .first())
    if request is None:
        return
    request.state = AfterSale.State.REFUNDED
    request.refund = refund
    request.failure = ""
    request.save(update_fields=["state", "refund", "failure"])
    order = request.order._locked()
    order._record("refunded", by=refund.requested_by, from_state=order.state,
                  note=refund.out_refund_no)
    telling.tell(order, "refunded")
