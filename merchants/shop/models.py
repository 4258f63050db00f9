"""A merchant's products and the owners' orders of them.

Cash on delivery (货到付款): placed → awaiting delivery at once; the owner, the merchant
or property staff may cancel it until delivery starts.
Online payment (在线支付): placed → awaiting payment → (paid) awaiting delivery; once paid
nobody may cancel it (an after-sale request may get the money back); unpaid, it is
closed when its payment order expires (the payments watch closes it).
awaiting delivery → delivering → done.

Every change is a method named by its verb: it locks the order's row, checks its guard,
changes the state, writes an OrderEvent and tells the owner and the merchant, in one
transaction; a refused change raises TransitionNotAllowed and changes nothing. Placing
an order (ordering.place) reserves the stock with a conditional UPDATE, so concurrent
orders never sell more than there is.
"""

import secrets
from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import log
from wagtail.models import DraftStateMixin, LockableMixin, RevisionMixin, WorkflowMixin

from merchants.models import MerchantPage
from portal.estates.errors import TransitionNotAllowed
from portal.estates.models import Community, House
from portal.estates.scope import ScopedQuerySet
from portal.payments.models import PaymentOrder
from portal.site_language import in_site_language

MONEY = {"max_digits": 10, "decimal_places": 2}


def _signed_in(user):
    return user is not None and user.is_authenticated and user.is_active


class MerchantScopedQuerySet(ScopedQuerySet):
    """Rows of a merchant: staff and residents as ScopedQuerySet says, and a merchant's
    own people see those of the merchants they manage."""

    merchant_field = "merchant"

    def visible_to(self, user):
        seen = super().visible_to(user)
        if not _signed_in(user) or user.is_superuser:
            return seen
        if not hasattr(user, "merchant_account"):
            # Manages no merchant (a resident's is known by now): no OR to compile and run.
            return seen
        managed = MerchantPage.objects.managed_by(user).values("pk")
        return seen | self.filter(**{f"{self.merchant_field}__in": managed})


def serving(staff):
    """The merchants serving any community the staff member sees."""
    return MerchantPage.objects.for_staff(staff).values("pk")


class ProductQuerySet(MerchantScopedQuerySet):
    def for_staff(self, staff):
        return self.filter(merchant__in=serving(staff))

    def for_resident(self, resident):
        return self.filter(merchant__in=MerchantPage.objects.visible_to(resident.user)
                           .values("pk")).on_sale()

    def on_sale(self):
        """Published (approved at least once) and switched on."""
        return self.filter(live=True, active=True)


# Stock and the on/off switch change at once, outside the review: an order takes stock,
# a sold-out product goes off.
OPERATIONAL = ("stock", "active")


class Product(WorkflowMixin, DraftStateMixin, LockableMixin, RevisionMixin, models.Model):
    """A merchant's product. Its name, description, picture, price and order are reviewed:
    a merchant's change is a draft revision until the merchant review (商家审核) approves
    it, so the row always holds what owners see and pay; a new product is not live until
    approved. Stock and on/off are operational (OPERATIONAL): changed at once by
    ``set_stock`` and ``switch``, never written by a publish."""

    merchant = models.ForeignKey(MerchantPage, on_delete=models.CASCADE,
                                 related_name="products", verbose_name=_("merchant"))
    name = models.CharField(_("name"), max_length=80)
    description = models.CharField(_("description"), max_length=200, blank=True)
    image = models.ForeignKey("wagtailimages.Image", on_delete=models.SET_NULL, null=True,
                              blank=True, related_name="+", verbose_name=_("picture"))
    price = models.DecimalField(_("price (yuan)"), **MONEY)
    stock = models.PositiveIntegerField(_("in stock"), default=0)
    active = models.BooleanField(_("on sale"), default=True)
    sort_order = models.IntegerField(_("sort order"), default=0)

    objects = ProductQuerySet.as_manager()
    revisions = GenericRelation("wagtailcore.Revision", content_type_field="base_content_type",
                                object_id_field="object_id", related_query_name="product",
                                for_concrete_model=False)
    workflow_states = GenericRelation("wagtailcore.WorkflowState",
                                      content_type_field="base_content_type",
                                      object_id_field="object_id",
                                      related_query_name="product", for_concrete_model=False)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["merchant", "sort_order", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(price__gt=0),
                                   name="shop_product_price_positive"),
            models.CheckConstraint(condition=Q(stock__gte=0),
                                   name="shop_product_stock_not_negative"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, update_fields=None, **kwargs):
        if update_fields is None and self.pk is not None:
            # A whole-row save (publishing a revision) leaves stock and on/off to their
            # verbs: stock an order took meanwhile is never put back.
            update_fields = [field.name for field in self._meta.concrete_fields
                             if not field.primary_key and field.name not in OPERATIONAL]
        super().save(*args, update_fields=update_fields, **kwargs)

    def clean(self):
        super().clean()
        if self.price is not None and self.price <= 0:
            raise ValidationError({"price": _("The price must be more than zero.")})
        if self.price is not None and self.price != self.price.quantize(Decimal("0.01")):
            raise ValidationError({"price": _("The price is in yuan and fen.")})

    def with_content_json(self, content):
        product = super().with_content_json(content)
        for name in OPERATIONAL:
            setattr(product, name, getattr(self, name))
        return product

    def _check_keeper(self, by):
        if not (by is not None and by.has_perm("shop.change_product")
                and Product.objects.visible_to(by).filter(pk=self.pk).exists()):
            raise TransitionNotAllowed(gettext("Only the merchant's own people may change "
                                               "its stock and sale."))

    def set_stock(self, stock, *, by, seen=None):
        """The merchant counts what is left: live at once. ``seen``: the stock their page
        showed; if orders took some since, nothing is written (it would put back what
        they took) and the merchant is asked to look again."""
        self._check_keeper(by)
        if stock is None or int(stock) < 0:
            raise ValidationError({"stock": _("Stock is a whole number, zero or more.")})
        with transaction.atomic():
            rows = Product.objects.filter(pk=self.pk)
            if seen is not None:
                rows = rows.filter(stock=seen)
            if not rows.update(stock=int(stock)):
                now = Product.objects.get(pk=self.pk).stock
                raise ValidationError({"stock": _(
                    "Orders changed the stock to %(now)s while this page was open. Check it "
                    "and save again.") % {"now": now}})
            self.stock = int(stock)
            log(self, "shop.product.stock", user=by, data={"stock": self.stock})

    def switch(self, on, *, by):
        """Put on sale or take off sale: live at once."""
        self._check_keeper(by)
        with transaction.atomic():
            Product.objects.filter(pk=self.pk).update(active=bool(on))
            self.active = bool(on)
            log(self, "shop.product.on" if on else "shop.product.off", user=by)

    def set_stock_and_sale(self, stock, on, *, by, seen=None):
        """The stock page: a stock left as it was shown is not written (switching off a
        product touches no stock an order just took)."""
        with transaction.atomic():
            if seen is None or int(stock) != seen:
                self.set_stock(stock, by=by, seen=seen)
            else:
                self._check_keeper(by)
            if bool(on) != self.active:
                self.switch(on, by=by)


class State(models.TextChoices):
    AWAITING_PAYMENT = "awaiting_payment", _("Awaiting payment")
    AWAITING_DELIVERY = "awaiting_delivery", _("Awaiting delivery")
    DELIVERING = "delivering", _("Delivering")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")
    CLOSED = "closed", _("Closed unpaid")


class PaymentMode(models.TextChoices):
    COD = "cod", _("Cash on delivery")
    ONLINE = "online", _("Online payment")


class Fulfilment(models.TextChoices):
    DELIVERY = "delivery", _("Delivery to my house")
    PICKUP = "pickup", _("Pick-up at the shop")


class OrderQuerySet(MerchantScopedQuerySet):
    def for_resident(self, resident):
        return self.filter(buyer_id=resident.user_id)


class Order(models.Model):
    State = State
    PaymentMode = PaymentMode
    Fulfilment = Fulfilment

    number = models.CharField(_("order number"), max_length=32, unique=True)
    merchant = models.ForeignKey(MerchantPage, on_delete=models.PROTECT, related_name="orders",
                                 verbose_name=_("merchant"))
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("community"))
    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                              related_name="shop_orders",
                              verbose_name=pgettext_lazy("property", "owner"))
    house = models.ForeignKey(House, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("house"))
    fulfilment = models.CharField(_("delivery"), max_length=10, choices=Fulfilment.choices)
    payment_mode = models.CharField(_("payment"), max_length=10, choices=PaymentMode.choices)
    state = models.CharField(_("state"), max_length=20, choices=State.choices)
    total = models.DecimalField(_("total (yuan)"), **MONEY)
    note = models.CharField(_("note"), max_length=200, blank=True)
    payment = models.OneToOneField(PaymentOrder, on_delete=models.PROTECT, null=True,
                                   blank=True, related_name="shop_order",
                                   verbose_name=_("payment order"))
    created_at = models.DateTimeField(_("ordered at"), default=timezone.now)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    delivering_at = models.DateTimeField(_("delivery started at"), null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("cancelled or closed at"), null=True, blank=True)
    # The order form's one-time key: a double tap places one order.
    idempotency_key = models.CharField(max_length=64, blank=True, editable=False)

    objects = OrderQuerySet.as_manager()
    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["buyer", "idempotency_key"],
                                    condition=~Q(idempotency_key=""),
                                    name="shop_one_order_per_tap"),
            models.CheckConstraint(condition=Q(total__gt=0), name="shop_order_total_positive"),
        ]
        indexes = [
            models.Index(fields=["merchant", "-created_at"]),
            models.Index(fields=["community", "-created_at"]),
            models.Index(fields=["buyer", "-created_at"]),
        ]
        permissions = [("handle_order", "Can deliver and cancel merchant orders")]

    def __str__(self):
        return self.number

    @staticmethod
    def new_number():
        return f"S{timezone.localdate():%Y%m%d}{secrets.randbelow(10 ** 10):010d}"

    @property
    def is_paid_online(self):
        return self.payment_mode == PaymentMode.ONLINE and self.paid_at is not None

    @property
    def owner_url(self):
        return reverse("my_orders:detail", args=[self.pk])

    # --- who may do what ----------------------------------------------------------

    def is_handler(self, user):
        """The merchant's people, and property staff of the order's community."""
        if not _signed_in(user):
            return False
        if MerchantPage.objects.managed_by(user).filter(pk=self.merchant_id).exists():
            return True
        if getattr(user, "staff", None) is None and not user.is_superuser:
            return False
        return (user.has_perm("shop.handle_order")
                and Order.objects.visible_to(user).filter(pk=self.pk).exists())

    def cancel_refusal(self, user):
        """Why ``user`` may not cancel this order now, or None."""
        if self.payment_mode == PaymentMode.ONLINE and self.paid_at is not None:
            return gettext("This order was paid online, so it can no longer be cancelled. "
                           "Ask for an after-sale refund instead.")
        if self.state not in (State.AWAITING_DELIVERY, State.AWAITING_PAYMENT):
            return gettext("This order is %(state)s; it can no longer be cancelled.") % {
                "state": self.get_state_display()}
        if user is None or (user.pk != self.buyer_id and not self.is_handler(user)):
            return gettext("Only the owner who ordered, the merchant or property staff "
                           "may cancel this order.")
        return None

    # --- transitions ----------------------------------------------------------------

    def _locked(self):
        return Order.objects.select_for_update().get(pk=self.pk)

    def _refresh_from(self, current):
        for field in self._meta.concrete_fields:
            setattr(self, field.attname, getattr(current, field.attname))

    def _record(self, action, *, by=None, from_state, note=""):
        return OrderEvent.objects.create(order=self, merchant_id=self.merchant_id,
                                         community_id=self.community_id, action=action,
                                         from_state=from_state, to_state=self.state,
                                         actor=by, note=note)

    def _move(self, action, *, to, by, stamp=None, note=""):
        from_state = self.state
        self.state = to
        fields = ["state"]
        if stamp:
            setattr(self, stamp, timezone.now())
            fields.append(stamp)
        self.save(update_fields=fields)
        self._record(action, by=by, from_state=from_state, note=note)
        from . import telling

        telling.tell(self, action)

    def release_stock(self):
        for line in self.lines.order_by("product_id"):
            Product.objects.filter(pk=line.product_id).update(stock=F("stock") + line.quantity)

    def _handled_step(self, action, *, by, allowed_from, to, stamp):
        with transaction.atomic():
            current = self._locked()
            if not current.is_handler(by):
                raise TransitionNotAllowed(gettext("Only the merchant or property staff may "
                                                   "do this."))
            if current.state not in allowed_from:
                raise TransitionNotAllowed(
                    gettext("This order is %(state)s; this step cannot be taken now.")
                    % {"state": current.get_state_display()})
            current._move(action, to=to, by=by, stamp=stamp)
            self._refresh_from(current)

    def start_delivery(self, by):
        self._handled_step("delivering", by=by, allowed_from=[State.AWAITING_DELIVERY],
                           to=State.DELIVERING, stamp="delivering_at")

    def complete(self, by):
        self._handled_step("done", by=by, allowed_from=[State.DELIVERING], to=State.DONE,
                           stamp="done_at")

    def cancel(self, by, reason=""):
        """The owner, the merchant or staff give up an order not yet delivering and not
        paid online: its stock goes back on sale. An unpaid online order's payment order
        is closed too (should WeChat Pay say it was paid meanwhile, nothing is cancelled
        and the payment is recorded when its notification comes)."""
        with transaction.atomic():
            current = self._locked()
            refused = current.cancel_refusal(by)
            if refused:
                raise TransitionNotAllowed(refused)
            was_unpaid = current.state == State.AWAITING_PAYMENT
            current._move("cancelled", to=State.CANCELLED, by=by, stamp="ended_at",
                          note=(reason or "").strip()[:200])
            current.release_stock()
            if was_unpaid and current.payment_id:
                try:
                    current.payment.close(by=by, note=in_site_language(_("Order cancelled")))
                except TransitionNotAllowed:
                    raise TransitionNotAllowed(gettext(
                        "The payment of this order went through meanwhile, so it can no "
                        "longer be cancelled.")) from None
            self._refresh_from(current)

    # --- the payment's hooks (portal.payments purposes, in its transaction) ------------

    def payment_succeeded(self):
        current = self._locked()
        if current.state != State.AWAITING_PAYMENT:
            return  # cancelled in this same transaction, which is rolled back
        current.paid_at = timezone.now()
        current.save(update_fields=["paid_at"])
        current._move("paid", to=State.AWAITING_DELIVERY, by=current.buyer)
        self._refresh_from(current)

    def payment_closed(self):
        current = self._locked()
        if current.state != State.AWAITING_PAYMENT:
            return
        current._move("closed", to=State.CLOSED, by=None, stamp="ended_at",
                      note=in_site_language(_("Payment expired")))
        current.release_stock()
        self._refresh_from(current)


class OrderLine(models.Model):
    """One product of an order, at the price it had when ordered."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("product"))
    name = models.CharField(_("name"), max_length=80)
    unit_price = models.DecimalField(_("unit price (yuan)"), **MONEY)
    quantity = models.PositiveIntegerField(_("quantity"))
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["order", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="shop_line_quantity_positive"),
        ]

    def __str__(self):
        return f"{self.name} × {self.quantity}"


EVENT_LABELS = {
    "placed": _("Order placed"), "paid": _("Paid online"),
    "delivering": _("Delivery started"), "done": _("Done"), "cancelled": _("Cancelled"),
    "closed": _("Closed: not paid in time"),
    "aftersale_requested": _("After-sale refund asked"),
    "aftersale_approved": _("After-sale request approved"),
    "aftersale_rejected": _("After-sale request rejected"), "refunded": _("Refunded"),
    "refund_failed": _("Refund did not go through"), "refund_retried": _("Refund asked again"),
}


class OrderEventQuerySet(MerchantScopedQuerySet):
    def for_resident(self, resident):
        return self.filter(order__buyer_id=resident.user_id)


class OrderEvent(models.Model):
    """One step of an order: its timeline and audit trail."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    merchant = models.ForeignKey(MerchantPage, on_delete=models.CASCADE, related_name="+")
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+")
    action = models.CharField(_("action"), max_length=20)
    from_state = models.CharField(max_length=20, blank=True)
    to_state = models.CharField(max_length=20, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                              blank=True, related_name="+", verbose_name=_("by"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    objects = OrderEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("order event")
        verbose_name_plural = _("order events")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["order", "created_at"])]

    def __str__(self):
        return f"{self.order_id} {self.action}"

    @property
    def label(self):
        return EVENT_LABELS.get(self.action, self.action)


# Kept beside the code that uses it.
from .aftersale import AfterSale  # noqa: E402,F401
