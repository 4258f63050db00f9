"""Parking card top-up (停车卡充值): the card of a parking space rented or sold to a house
holds a balance (the car park's gate draws from it) and the month it is paid until.

A card belongs to one space *and* one house: when the space goes to another house, that
house's top-ups credit a new card of its own, and what is left on the earlier card stays
the earlier household's (shown to them, listed for finance, refundable). The card the
gate uses is the one of the space's present house (``ParkingCard.objects.current()``).

``top_up(user, space, amount=… | months=…)`` opens a payment order (purpose
"billing.parking_card"); when it is paid the card is credited once (the top-up row is
marked credited under the card's lock, and a ParkingCardEvent written). A refund of a
top-up takes it back from the card (the amount from the balance, or the months from the
paid-until date); it is refused when asked (``top_up_can_refund``) if the card no longer
holds it."""

import calendar
import logging
import math
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.estates.models import Community, House
from portal.payments.models import PaymentOrder, Refund

from .models import MONEY, FeeItem, OwnHousesQuerySet, ParkingSpace

logger = logging.getLogger(__name__)

PURPOSE = "billing.parking_card"
PRESET_AMOUNTS = [Decimal(100), Decimal(200), Decimal(500)]
MAX_MONTHS = 12
ZERO = Decimal("0.00")


class ParkingCardQuerySet(OwnHousesQuerySet):
    def current(self):
        """The cards of the houses their spaces belong to now (the ones the gate uses)."""
        return self.filter(house_id=models.F("space__house_id"))


class ParkingCard(models.Model):
    space = models.ForeignKey(ParkingSpace, on_delete=models.PROTECT, related_name="cards",
                              verbose_name=_("parking space"))
    house = models.ForeignKey(House, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("house"))
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("community"))
    balance = models.DecimalField(_("balance (yuan)"), **MONEY, default=ZERO)
    paid_until = models.DateField(_("paid until"), null=True, blank=True)

    objects = ParkingCardQuerySet.as_manager()
    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = _("parking card")
        verbose_name_plural = _("parking cards")
        ordering = ["community", "space"]
        constraints = [
            models.UniqueConstraint(fields=["space", "house"],
                                    name="one_parking_card_per_space_and_house"),
        ]

    def __str__(self):
        return str(self.space)

    @classmethod
    def locked_for(cls, space_id, house_id, community_id):
        card, _created = cls.objects.get_or_create(
            space_id=space_id, house_id=house_id, defaults={"community_id": community_id})
        return cls.objects.select_for_update().get(pk=card.pk)

    def _event(self, kind, amount, *, order_id, months=None, refund=None, note=""):
        self.save(update_fields=["balance", "paid_until"])
        return ParkingCardEvent.objects.create(
            card=self, house_id=self.house_id, community_id=self.community_id, kind=kind,
            amount=amount, months=months, balance_after=self.balance,
            paid_until_after=self.paid_until, order_id=order_id, refund=refund,
            note=note[:200])

    def credit(self, top):
        """A paid top-up (the caller holds this card's lock)."""
        if top.months:
            today = timezone.localdate()
            start = self.paid_until if self.paid_until and self.paid_until >= today else today
            self.paid_until = add_months(start, top.months)
        else:
            self.balance += top.amount
        return self._event(ParkingCardEvent.Kind.CREDIT, top.amount, order_id=top.order_id,
                           months=top.months)

    def take_back(self, top, refund):
        """A refund of ``top`` settled (the caller holds this card's lock): its amount
        leaves the balance, or its months leave the paid-until date. top_up_can_refund
        allowed it; should the card hold less by now, the balance goes below zero and
        says so rather than losing the difference."""
        months = None
        if top.months:
            months = math.ceil(refund.amount * top.months / top.amount)
            if self.paid_until is not None:
                self.paid_until = add_months(self.paid_until, -months)
        else:
            self.balance -= refund.amount
            if self.balance < 0:
                logger.warning("parking card %s: refund %s leaves the balance at %s",
                               self.pk, refund.out_refund_no, self.balance)
        return self._event(ParkingCardEvent.Kind.REFUND, -refund.amount,
                           order_id=refund.order_id,
                           months=-months if months else None, refund=refund,
                           note=gettext("Refund %(refund)s: %(reason)s") % {
                               "refund": refund.out_refund_no, "reason": refund.reason})


class ParkingCardEvent(models.Model):
    """What changed a card's balance or paid-until date, and which order or refund did:
    ``amount`` is the money (negative when it went back), ``months`` the months added or
    taken back by a months top-up."""

    class Kind(models.TextChoices):
        CREDIT = "credit", _("Topped up")
        REFUND = "refund", _("Refunded")

    card = models.ForeignKey(ParkingCard, on_delete=models.PROTECT, related_name="events",
                             verbose_name=_("parking card"))
    house = models.ForeignKey(House, on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)
    months = models.SmallIntegerField(_("months"), null=True, blank=True)
    balance_after = models.DecimalField(_("balance after"), **MONEY)
    paid_until_after = models.DateField(_("paid until"), null=True, blank=True)
    order = models.ForeignKey(PaymentOrder, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("payment order"))
    refund = models.ForeignKey(Refund, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+", verbose_name=_("refund"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    objects = OwnHousesQuerySet.as_manager()
    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = _("parking card event")
        verbose_name_plural = _("parking card events")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # A top-up credits once and a refund takes back once, however often settled.
            models.UniqueConstraint(fields=["order"], condition=models.Q(kind="credit"),
                                    name="one_parking_credit_per_order"),
            models.UniqueConstraint(fields=["refund"], condition=models.Q(kind="refund"),
                                    name="one_parking_take_back_per_refund"),
        ]

    def __str__(self):
        return f"{self.card_id} {self.kind} {self.amount}"


class ParkingTopUp(models.Model):
    order = models.OneToOneField(PaymentOrder, on_delete=models.PROTECT,
                                 related_name="parking_top_up",
                                 verbose_name=_("payment order"))
    space = models.ForeignKey(ParkingSpace, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("parking space"))
    house = models.ForeignKey(House, on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)
    months = models.PositiveSmallIntegerField(_("months"), null=True, blank=True)
    credited_at = models.DateTimeField(_("credited at"), null=True, blank=True)

    objects = OwnHousesQuerySet.as_manager()
    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = _("parking card top-up")
        verbose_name_plural = _("parking card top-ups")
        ordering = ["-pk"]

    def __str__(self):
        return f"{self.space} {self.amount}"


def monthly_fee(space):
    if space.monthly_fee is not None:
        return space.monthly_fee
    item = FeeItem.objects.filter(community_id=space.community_id, active=True,
                                  kind=FeeItem.Kind.PARKING).order_by("sort_order").first()
    return Decimal(item.unit_price).quantize(Decimal("0.01")) if item else ZERO


def add_months(day, months):
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def top_up(user, space, *, amount=None, months=None, idempotency_key=""):
    """Open the payment order topping up the card of ``space`` (one of the user's)."""
    if space.house_id is None:
        raise ValidationError(gettext("This parking space belongs to no house."))
    if months:
        within = gettext("Top up between 1 and %(max)s months.") % {"max": MAX_MONTHS}
        try:
            months = int(str(months).strip())
        except ValueError:
            raise ValidationError({"months": within}) from None
        if not 1 <= months <= MAX_MONTHS:
            raise ValidationError({"months": within})
        amount = monthly_fee(space) * months
        if amount <= 0:
            raise ValidationError({"months": gettext(
                "This space has no monthly fee; choose an amount.")})
    else:
        try:
            amount = Decimal(str(amount))
        except Exception:
            amount = None
        if amount not in PRESET_AMOUNTS:
            raise ValidationError({"amount": gettext("Choose one of the amounts.")})
        months = None
    with transaction.atomic():
        order = PaymentOrder.objects.open(
            purpose=PURPOSE, payer=user, community=space.community, amount=amount,
            description=gettext("Parking card %(space)s") % {"space": space},
            idempotency_key=idempotency_key)
        ParkingTopUp.objects.get_or_create(order=order, defaults={
            "space": space, "house_id": space.house_id, "community_id": space.community_id,
            "amount": amount, "months": months})
    return order


def top_up_paid(order):
    from . import receipts

    top = (ParkingTopUp.objects.select_for_update(of=("self",)).select_related("space")
           .get(order=order))
    if top.credited_at is not None:
        return
    # The card of the house that paid, even if the space has gone to another house
    # since the order was opened: the money stays that household's.
    card = ParkingCard.locked_for(top.space_id, top.house_id, top.community_id)
    card.credit(top)
    top.credited_at = timezone.now()
    top.save(update_fields=["credited_at"])
    description = gettext("Parking card %(space)s") % {"space": top.space}
    if top.months:
        description += " " + gettext("%(months)s months") % {"months": top.months}
    receipts.issue(order, house=House.objects.get(pk=top.house_id),
                   lines=[{"description": description, "amount": f"{top.amount:.2f}"}])


def _whole_months(top, amount):
    """The months ``amount`` of a months top-up paid for, or None if not a whole number."""
    months = amount * top.months / top.amount
    return int(months) if months == months.to_integral_value() else None


def _under_way(top):
    """(amount, months) of this card's refunds requested but not settled yet."""
    refunds = Refund.objects.filter(
        state=Refund.State.PROCESSING, order__purpose=PURPOSE,
        order__parking_top_up__space_id=top.space_id,
        order__parking_top_up__house_id=top.house_id).select_related("order__parking_top_up")
    amount, months = ZERO, 0
    for refund in refunds:
        other = refund.order.parking_top_up
        if other.months:
            months += math.ceil(refund.amount * other.months / other.amount)
        else:
            amount += refund.amount
    return amount, months


def top_up_can_refund(order, amount):
    """can_refund: only what the card still holds can be given back: the balance not yet
    spent, or whole months not yet begun (less refunds already under way)."""
    top = ParkingTopUp.objects.select_related("space").get(order=order)
    # Ordered by pk: the model's ordering would join (and lock) the community rows.
    card = ParkingCard.objects.select_for_update().filter(
        space_id=top.space_id, house_id=top.house_id).order_by("pk").first()
    pending_amount, pending_months = _under_way(top)
    if top.months:
        months = _whole_months(top, amount)
        if months is None:
            return gettext("This top-up paid for %(months)s months at %(price)s yuan a "
                           "month; refund whole months. Nothing was changed.") % {
                "months": top.months, "price": f"{top.amount / top.months:.2f}"}
        paid_until = card.paid_until if card else None
        if paid_until is None or add_months(paid_until, -(months + pending_months)
                                            ) < timezone.localdate():
            return gettext("The parking card of space %(space)s is paid until %(date)s; "
                           "%(months)s months can no longer be given back from it, so "
                           "%(amount)s yuan cannot be refunded. Nothing was changed.") % {
                "space": top.space, "date": paid_until or "-", "months": months,
                "amount": amount}
        return None
    free = (card.balance if card else ZERO) - pending_amount
    if amount > free:
        return gettext("The parking card of space %(space)s holds %(free)s yuan that can be "
                       "given back; %(amount)s yuan cannot be refunded. Nothing was "
                       "changed.") % {"space": top.space, "free": max(free, ZERO),
                                      "amount": amount}
    return None


def top_up_refunded(refund):
    """on_refunded: the refunded amount (or its months) leaves the card it credited."""
    top = ParkingTopUp.objects.get(order_id=refund.order_id)
    if top.credited_at is None:
        return
    card = ParkingCard.locked_for(top.space_id, top.house_id, top.community_id)
    card.take_back(top, refund)


def register():
    from portal.payments import purposes

    from .receipts import ways_on_to

    purposes.register(PURPOSE, label=_("Parking card top-up"), on_paid=top_up_paid,
                      on_refunded=top_up_refunded, can_refund=top_up_can_refund,
                      ways_on=ways_on_to("my_bills:parking", _("Parking card")))
