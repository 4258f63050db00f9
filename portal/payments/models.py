"""Payment orders, their timeline, refunds and the log of WeChat Pay's notifications.

pending → paid | closed; paid → partly_refunded → refunded.

Every change is a method named by its verb. It locks the order's row, checks its guard,
changes the state, writes a PaymentEvent and calls the purpose's hook, in one
transaction; a refused change raises TransitionNotAllowed (or ValidationError for a bad
amount) and changes nothing. ``settle()`` is the one way an order becomes paid: WeChat
Pay's notification, the active query, the sandbox cashier and the cashier's record of an
offline payment all go through it, and a second settlement of the same order is a no-op.
"""

import logging
import secrets
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.estates.errors import TransitionNotAllowed
from portal.estates.models import Community
from portal.estates.scope import ScopedQuerySet

from . import purposes
from .money import FEN

logger = logging.getLogger(__name__)


class State(models.TextChoices):
    PENDING = "pending", _("Awaiting payment")
    PAID = "paid", _("Paid")
    PARTLY_REFUNDED = "partly_refunded", _("Partly refunded")
    REFUNDED = "refunded", _("Refunded")
    CLOSED = "closed", _("Closed")


class Channel(models.TextChoices):
    WECHAT = "wechat", _("WeChat Pay")
    SANDBOX = "sandbox", _("Demo payment")
    OFFLINE = "offline", _("Offline payment")


class OfflineMethod(models.TextChoices):
    CASH = "cash", _("Cash")
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")


PAID_STATES = [State.PAID, State.PARTLY_REFUNDED, State.REFUNDED]
REFUNDABLE_STATES = [State.PAID, State.PARTLY_REFUNDED]


class AmountMismatch(TransitionNotAllowed):
    """What was paid is not what the order asks: nothing is settled."""


def _number(prefix):
    """Our readable number: P20261123 + 10 random digits (WeChat allows 32 characters)."""
    return f"{prefix}{timezone.localdate():%Y%m%d}{secrets.randbelow(10 ** 10):010d}"


class PaymentOrderQuerySet(ScopedQuerySet):
    def for_resident(self, resident):
        return self.filter(payer_id=resident.user_id)

    def open(self, *, purpose, payer, community, amount, description, idempotency_key=""):
        """A payer starts paying for something. A retried request with the same
        ``idempotency_key`` returns the order the first one opened."""
        purposes.get(purpose)
        amount = Decimal(amount)
        if amount <= 0 or amount != amount.quantize(FEN):
            raise ValidationError({"amount": _("The amount must be more than zero, "
                                               "in yuan and fen.")})
        description = (description or "").strip()[:127] or str(purposes.label(purpose))
        if idempotency_key:
            existing = self.model.objects.filter(payer=payer,
                                                 idempotency_key=idempotency_key).first()
            if existing is not None:
                return existing
        now = timezone.now()
        order = self.model(
            purpose=purpose, payer=payer, community=community, amount=amount,
            description=description, idempotency_key=idempotency_key, created_at=now,
            expires_at=now + timedelta(minutes=settings.PAYMENTS_ORDER_MINUTES))
        for _attempt in range(3):
            order.out_trade_no = _number("P")
            try:
                with transaction.atomic():
                    order.save()
                    order._record("opened", by=payer, from_state="")
                return order
            except IntegrityError:
                if idempotency_key:
                    existing = self.model.objects.filter(
                        payer=payer, idempotency_key=idempotency_key).first()
                    if existing is not None:
                        return existing
                order.pk = None
        raise IntegrityError("could not find a free order number")

    def overdue_for_query(self, now=None):
        """Pending orders sent to WeChat Pay whose notification is late."""
        now = now or timezone.now()
        late = now - timedelta(minutes=settings.PAYMENTS_QUERY_AFTER_MINUTES)
        return self.filter(state=State.PENDING, prepaid_at__lt=late)

    def expired(self, now=None):
        return self.filter(state=State.PENDING, expires_at__lt=now or timezone.now())


class PaymentOrder(models.Model):
    State = State
    Channel = Channel
    OfflineMethod = OfflineMethod

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("community"))
    payer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                              related_name="payment_orders", verbose_name=_("payer"))
    purpose = models.CharField(_("for"), max_length=64)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=12, decimal_places=2)
    description = models.CharField(_("description"), max_length=127)
    out_trade_no = models.CharField(_("order number"), max_length=32, unique=True)
    state = models.CharField(_("state"), max_length=16, choices=State.choices,
                             default=State.PENDING)
    channel = models.CharField(_("paid by"), max_length=10, choices=Channel.choices,
                               blank=True)
    offline_method = models.CharField(_("offline method"), max_length=16,
                                      choices=OfflineMethod.choices, blank=True)
    # WeChat Pay's number of the payment; none for offline payments.
    transaction_id = models.CharField(_("WeChat Pay number"), max_length=64, null=True,
                                      blank=True, unique=True)
    refunded_amount = models.DecimalField(_("refunded (yuan)"), max_digits=12,
                                          decimal_places=2, default=Decimal("0.00"))
    prepay_id = models.CharField(max_length=64, blank=True, editable=False)
    prepaid_at = models.DateTimeField(_("sent to WeChat Pay at"), null=True, blank=True)
    created_at = models.DateTimeField(_("opened at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # The cashier's one-time key: a double tap opens one order.
    idempotency_key = models.CharField(max_length=64, blank=True, editable=False)

    objects = PaymentOrderQuerySet.as_manager()
    # Nothing refers to payments from pages or snippets: Wagtail's reference index would
    # only queue a task on every save of an order.
    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = _("payment order")
        verbose_name_plural = _("payment orders")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["payer", "idempotency_key"],
                                    condition=~Q(idempotency_key=""),
                                    name="one_payment_order_per_tap"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
        ]
        indexes = [
            models.Index(fields=["community", "-created_at"]),
            models.Index(fields=["community", "state", "-created_at"]),
            models.Index(fields=["payer", "-created_at"]),
            models.Index(fields=["state", "expires_at"]),
        ]
        permissions = [
            ("refund_paymentorder", "Can refund payments"),
            ("record_offline_payment", "Can record cash and bank-transfer payments"),
        ]

    def __str__(self):
        return self.out_trade_no

    @property
    def purpose_label(self):
        return purposes.label(self.purpose)

    @property
    def is_paid(self):
        return self.state in PAID_STATES

    @property
    def refundable_amount(self):
        """Paid, less what is refunded or being refunded."""
        if self.state not in REFUNDABLE_STATES:
            return Decimal("0.00")
        asked = self.refunds.exclude(state=Refund.State.CLOSED).aggregate(
            total=Sum("amount"))["total"] or Decimal("0.00")
        return self.amount - asked

    @property
    def cashier_url(self):
        return reverse("payments:cashier", args=[self.out_trade_no])

    # --- transitions ----------------------------------------------------------------

    def _locked(self):
        return PaymentOrder.objects.select_for_update().get(pk=self.pk)

    def _refresh_from(self, current):
        for field in self._meta.concrete_fields:
            setattr(self, field.attname, getattr(current, field.attname))

    def _record(self, action, *, by=None, from_state, note="", data=None, refund=None):
        return PaymentEvent.objects.create(
            order=self, refund=refund, community_id=self.community_id, action=action,
            from_state=from_state, to_state=self.state, actor=by, note=note,
            data=data or {})

    def prepay(self, openid):
        """The WeixinJSBridge getBrandWCPayRequest parameters for this order, opening it at
        WeChat Pay the first time (a JSAPI order for the payer's openid)."""
        from .providers import get_provider

        provider = get_provider()
        with transaction.atomic():
            current = self._locked()
            if current.state != State.PENDING:
                raise TransitionNotAllowed(
                    _("This order is %(state)s; it cannot be paid now.")
                    % {"state": current.get_state_display()})
            if current.expires_at <= timezone.now():
                raise TransitionNotAllowed(_("This order has expired; open a new one."))
            if not current.prepay_id:
                current.prepay_id = provider.prepay(current, openid)
                current.prepaid_at = timezone.now()
                current.save(update_fields=["prepay_id", "prepaid_at"])
                current._record("prepaid", from_state=current.state,
                                data={"provider": provider.name})
            self._refresh_from(current)
        return provider.jsapi_params(self.prepay_id)

    def settle(self, *, transaction_id, amount, paid_at, channel, by=None, method="",
               note="", notification=None):
        """The order is paid. True when this call settled it; False when it was already
        settled (a repeated notification, the query racing the notification).

        ``notification``, WeChat Pay's notification saying so as (id, event type), is
        logged in the same transaction: one logged before settles nothing."""
        amount = Decimal(amount)
        with transaction.atomic():
            if notification is not None and \
                    not ReceivedNotification.first_time(*notification, order=self):
                return False
            current = self._locked()
            if current.state in PAID_STATES:
                self._refresh_from(current)
                return False
            if current.state != State.PENDING:
                raise TransitionNotAllowed(
                    _("This order is %(state)s; a payment cannot be recorded for it.")
                    % {"state": current.get_state_display()})
            if amount != current.amount:
                raise AmountMismatch(
                    _("%(paid)s yuan was paid but the order asks %(amount)s yuan.")
                    % {"paid": amount, "amount": current.amount})
            current.state = State.PAID
            current.channel = channel
            current.offline_method = method
            current.transaction_id = transaction_id or None
            current.paid_at = paid_at or timezone.now()
            current.save(update_fields=["state", "channel", "offline_method",
                                        "transaction_id", "paid_at"])
            current._record("paid", by=by, from_state=State.PENDING, note=note,
                            data={"channel": channel, "method": method,
                                  "transaction_id": transaction_id or "",
                                  "amount": str(amount)})
            purposes.get(current.purpose).on_paid(current)
            self._refresh_from(current)
        return True

    def record_offline(self, *, method, amount, by, note=""):
        """The cashier took cash or saw a bank transfer. Closes the order at WeChat Pay
        first, so the owner cannot pay it twice."""
        if method not in OfflineMethod.values:
            raise ValidationError({"method": _("Choose cash or bank transfer.")})
        amount = Decimal(amount)
        with transaction.atomic():
            current = self._locked()
            if current.state == State.PENDING and amount != current.amount:
                raise AmountMismatch(
                    _("%(paid)s yuan was paid but the order asks %(amount)s yuan.")
                    % {"paid": amount, "amount": current.amount})
            if current.state == State.PENDING:
                current._close_at_provider()
            settled = None
            if current.state not in PAID_STATES:
                settled = current.settle(transaction_id=None, amount=amount,
                                         paid_at=timezone.now(), channel=Channel.OFFLINE,
                                         by=by, method=method, note=(note or "").strip())
            # Otherwise paid meanwhile (perhaps at WeChat Pay just now, and settled by
            # _close_at_provider: that is kept).
            self._refresh_from(current)
        if settled is None:
            raise TransitionNotAllowed(_("This order is already paid."))
        return settled

    def _close_at_provider(self):
        """Close a prepaid order at WeChat Pay. If it turns out to be paid there, settle it
        here instead (under the lock the caller holds)."""
        from .providers import AlreadyPaid, ProviderError, get_provider

        if not self.prepay_id:
            return
        provider = get_provider()
        try:
            provider.close(self)
        except AlreadyPaid:
            self.sync_with_provider()
        except ProviderError as error:
            raise TransitionNotAllowed(
                _("WeChat Pay could not close its order (%(message)s); nothing was "
                  "changed. Try again later.") % {"message": error}) from None

    def close(self, by=None, note=""):
        """An unpaid order is given up (expired, or cancelled by staff or the app that
        opened it); closed at WeChat Pay too."""
        with transaction.atomic():
            current = self._locked()
            if current.state == State.PENDING:
                current._close_at_provider()
            refused = None
            if current.state != State.PENDING:
                # Paid at WeChat Pay just now and settled above: that is kept.
                refused = _("This order is %(state)s; it cannot be closed.") % {
                    "state": current.get_state_display()}
            else:
                current.state = State.CLOSED
                current.closed_at = timezone.now()
                current.save(update_fields=["state", "closed_at"])
                current._record("closed", by=by, from_state=State.PENDING, note=note)
                hook = purposes.get(current.purpose).on_closed
                if hook is not None:
                    hook(current)
            self._refresh_from(current)
        if refused:
            raise TransitionNotAllowed(refused)

    def sync_with_provider(self):
        """Ask WeChat Pay how the order stands (its notification is late) and settle it if
        it is paid. True when this settled it."""
        from .providers import get_provider

        if self.state != State.PENDING or not self.prepay_id:
            return False
        result = get_provider().query(self)
        if result is None or result.trade_state != "SUCCESS":
            return False
        return self.settle(transaction_id=result.transaction_id, amount=result.amount,
                           paid_at=result.paid_at, channel=result.channel)

    def refund(self, *, amount, reason, by):
        """Finance gives money back (all or part of it). WeChat payments are refunded
        through WeChat Pay and settle with its refund notification; demo and offline
        payments settle at once."""
        from .providers import ProviderError, get_provider

        amount = Decimal(amount)
        reason = (reason or "").strip()
        if amount <= 0 or amount != amount.quantize(FEN):
            raise ValidationError({"amount": _("The amount must be more than zero, "
                                               "in yuan and fen.")})
        if not reason:
            raise ValidationError({"reason": _("Say why the money is given back.")})
        with transaction.atomic():
            current = self._locked()
            if current.state not in REFUNDABLE_STATES:
                raise TransitionNotAllowed(
                    _("This order is %(state)s; only paid orders can be refunded.")
                    % {"state": current.get_state_display()})
            available = current.refundable_amount
            if amount > available:
                raise ValidationError({"amount": _(
                    "At most %(available)s yuan of this order can still be refunded.")
                    % {"available": available}})
            veto = purposes.get(current.purpose).can_refund
            refused = veto(current, amount) if veto is not None else None
            if refused:
                raise ValidationError({"amount": refused})
            refund = Refund(order=current, community_id=current.community_id, amount=amount,
                            reason=reason[:80], requested_by=by, channel=current.channel)
            for _attempt in range(3):
                refund.out_refund_no = _number("R")
                try:
                    with transaction.atomic():
                        refund.save()
                    break
                except IntegrityError:
                    refund.pk = None
            current._record("refund_requested", by=by, from_state=current.state,
                            note=reason, refund=refund, data={"amount": str(amount)})
            self._refresh_from(current)
        if refund.channel != Channel.WECHAT:
            refund.settle(refund_id="", amount=amount, succeeded_at=timezone.now())
            return refund
        try:
            result = get_provider().refund(refund)
        except ProviderError as error:
            if error.outcome_unknown:
                # WeChat Pay may have made the refund: it stays processing, and its
                # notification or the payment watch's query (sync_with_provider) says how
                # it ended. Freeing the amount now could give the money back twice.
                logger.warning("refund %s: no answer from WeChat Pay (%s); left to the watch",
                               refund.pk, error.code)
                return refund
            refund.fail(str(error))
            raise TransitionNotAllowed(
                _("WeChat Pay refused the refund: %(message)s") % {"message": error}) from None
        refund.apply_result(result)
        return refund


class RefundQuerySet(ScopedQuerySet):
    def for_resident(self, resident):
        return self.filter(order__payer_id=resident.user_id)

    def overdue_for_query(self, now=None):
        late = (now or timezone.now()) - timedelta(minutes=settings.PAYMENTS_QUERY_AFTER_MINUTES)
        return self.filter(state=Refund.State.PROCESSING, channel=Channel.WECHAT,
                           created_at__lt=late)


class Refund(models.Model):
    class State(models.TextChoices):
        PROCESSING = "processing", _("Processing")
        SUCCESS = "success", _("Refunded")
        CLOSED = "closed", _("Failed")
        ABNORMAL = "abnormal", _("Needs attention")

    order = models.ForeignKey(PaymentOrder, on_delete=models.PROTECT, related_name="refunds",
                              verbose_name=_("payment order"))
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("community"))
    out_refund_no = models.CharField(_("refund number"), max_length=64, unique=True)
    refund_id = models.CharField(_("WeChat Pay refund number"), max_length=64, null=True,
                                 blank=True, unique=True)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=12, decimal_places=2)
    reason = models.CharField(_("reason"), max_length=80)
    channel = models.CharField(_("paid by"), max_length=10, choices=Channel.choices)
    state = models.CharField(_("state"), max_length=12, choices=State.choices,
                             default=State.PROCESSING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     null=True, related_name="+",
                                     verbose_name=_("requested by"))
    created_at = models.DateTimeField(_("requested at"), default=timezone.now)
    succeeded_at = models.DateTimeField(_("refunded at"), null=True, blank=True)
    failure = models.CharField(_("failure"), max_length=200, blank=True)

    objects = RefundQuerySet.as_manager()
    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive"),
        ]
        indexes = [models.Index(fields=["community", "-created_at"]),
                   models.Index(fields=["state", "created_at"])]

    def __str__(self):
        return self.out_refund_no

    def _locked_pair(self):
        order = PaymentOrder.objects.select_for_update().get(pk=self.order_id)
        return order, Refund.objects.select_for_update().get(pk=self.pk)

    def settle(self, *, refund_id, amount, succeeded_at, by=None):
        """The money is back with the payer. True when this call settled it; False when
        it was already settled (a repeated notification)."""
        amount = Decimal(amount)
        with transaction.atomic():
            order, current = self._locked_pair()
            if current.state == Refund.State.SUCCESS:
                return False
            if current.state == Refund.State.CLOSED:
                raise TransitionNotAllowed(_("This refund has failed; it cannot succeed now."))
            if amount != current.amount:
                raise AmountMismatch(
                    _("%(paid)s yuan was refunded but %(amount)s yuan was asked.")
                    % {"paid": amount, "amount": current.amount})
            current.state = Refund.State.SUCCESS
            current.refund_id = refund_id or None
            current.succeeded_at = succeeded_at or timezone.now()
            current.save(update_fields=["state", "refund_id", "succeeded_at"])
            from_state = order.state
            order.refunded_amount += amount
            order.state = (State.REFUNDED if order.refunded_amount >= order.amount
                           else State.PARTLY_REFUNDED)
            order.save(update_fields=["refunded_amount", "state"])
            order._record("refunded", by=by, from_state=from_state, refund=current,
                          data={"amount": str(amount), "refund_id": refund_id or ""})
            hook = purposes.get(order.purpose).on_refunded
            if hook is not None:
                hook(current)
            self.__dict__.update({f.attname: getattr(current, f.attname)
                                  for f in self._meta.concrete_fields})
        return True

    def fail(self, message, *, state=None):
        """WeChat Pay refused or closed the refund: the amount can be asked again."""
        state = state or Refund.State.CLOSED
        with transaction.atomic():
            order, current = self._locked_pair()
            if current.state != Refund.State.PROCESSING:
                return False
            current.state = state
            current.failure = str(message)[:200]
            current.save(update_fields=["state", "failure"])
            order._record("refund_failed", from_state=order.state, refund=current,
                          note=current.failure)
            hook = purposes.get(order.purpose).on_refund_failed
            if hook is not None and state == Refund.State.CLOSED:
                # Not ABNORMAL: that money left, stuck on the way, and staff handle it.
                hook(current)
            self.state, self.failure = current.state, current.failure
        return True

    def apply_result(self, result):
        """What WeChat Pay says of the refund (its answer, query or notification)."""
        if result.status == "SUCCESS":
            return self.settle(refund_id=result.refund_id, amount=result.amount,
                               succeeded_at=result.succeeded_at)
        if result.status == "CLOSED":
            return self.fail(_("WeChat Pay closed the refund."))
        if result.status == "ABNORMAL":
            return self.fail(_("The refund could not reach the payer's account."),
                             state=Refund.State.ABNORMAL)
        if result.refund_id and not self.refund_id:
            Refund.objects.filter(pk=self.pk, refund_id=None).update(refund_id=result.refund_id)
            self.refund_id = result.refund_id
        return False

    def sync_with_provider(self):
        from .providers import ProviderError, get_provider

        if self.state != Refund.State.PROCESSING or self.channel != Channel.WECHAT:
            return False
        try:
            result = get_provider().query_refund(self)
        except ProviderError as error:
            if error.code == "RESOURCE_NOT_EXISTS":
                # The request was lost on its way: nothing was refunded.
                return self.fail(_("WeChat Pay never received the refund."))
            raise
        return self.apply_result(result)


class PaymentEventQuerySet(ScopedQuerySet):
    def for_resident(self, resident):
        return self.filter(order__payer_id=resident.user_id)


class PaymentEvent(models.Model):
    """One step of a payment order: its timeline and audit trail."""

    order = models.ForeignKey(PaymentOrder, on_delete=models.CASCADE, related_name="events")
    refund = models.ForeignKey(Refund, on_delete=models.CASCADE, null=True, blank=True,
                               related_name="events")
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+")
    action = models.CharField(_("action"), max_length=20)
    from_state = models.CharField(max_length=16, blank=True)
    to_state = models.CharField(max_length=16, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                              blank=True, related_name="+", verbose_name=_("by"))
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    objects = PaymentEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("payment event")
        verbose_name_plural = _("payment events")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["order", "created_at"])]

    def __str__(self):
        return f"{self.order_id} {self.action}"


class ReceivedNotification(models.Model):
    """A notification WeChat Pay sent us, by its id: the same notification again (WeChat
    retries until it hears success, sometimes several at once) is recognised and answered
    without doing anything."""

    notification_id = models.CharField(max_length=64, unique=True)
    event_type = models.CharField(max_length=32)
    order = models.ForeignKey(PaymentOrder, on_delete=models.CASCADE, null=True,
                              related_name="+")
    community = models.ForeignKey(Community, on_delete=models.CASCADE, null=True,
                                  related_name="+")
    received_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("received notification")
        verbose_name_plural = _("received notifications")

    def __str__(self):
        return self.notification_id

    @classmethod
    def first_time(cls, notification_id, event_type, *, order):
        """Log the notification in the caller's transaction. False when it was seen
        before (or is being handled right now: the insert waits for that transaction,
        then fails); the caller's transaction is then marked for rollback, and the
        caller returns at once. No savepoint: nothing else is done after a repeat."""
        try:
            with transaction.atomic(savepoint=False):
                cls.objects.create(notification_id=notification_id,
                                   event_type=(event_type or "")[:32], order=order,
                                   community_id=order.community_id)
        except IntegrityError:
            return False
        return True
