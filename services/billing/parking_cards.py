"""Parking card top-up (停车卡充值): the card of a parking space rented or sold to a house
holds a balance (the car park's gate draws from it) and the month it is paid until.

``top_up(user, space, amount=… | months=…)`` opens a payment order (purpose
"billing.parking_card"); when it is paid the card is credited once (the top-up row is
marked credited under the card's lock)."""

import calendar
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.estates.models import Community, House
from portal.payments.models import PaymentOrder

from .models import MONEY, FeeItem, OwnHousesQuerySet, ParkingSpace

PURPOSE = "billing.parking_card"
PRESET_AMOUNTS = [Decimal(100), Decimal(200), Decimal(500)]
MAX_MONTHS = 12
ZERO = Decimal("0.00")


class ParkingCard(models.Model):
    space = models.OneToOneField(ParkingSpace, on_delete=models.PROTECT, related_name="card",
                                 verbose_name=_("parking space"))
    house = models.ForeignKey(House, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("house"))
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("community"))
    balance = models.DecimalField(_("balance (yuan)"), **MONEY, default=ZERO)
    paid_until = models.DateField(_("paid until"), null=True, blank=True)

    objects = OwnHousesQuerySet.as_manager()
    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = _("parking card")
        verbose_name_plural = _("parking cards")
        ordering = ["community", "space"]

    def __str__(self):
        return str(self.space)


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
        months = int(months)
        if not 1 <= months <= MAX_MONTHS:
            raise ValidationError({"months": gettext(
                "Top up between 1 and %(max)s months.") % {"max": MAX_MONTHS}})
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

    top = ParkingTopUp.objects.select_for_update().select_related("space").get(order=order)
    if top.credited_at is not None:
        return
    card, _created = ParkingCard.objects.get_or_create(
        space=top.space, defaults={"house_id": top.house_id,
                                   "community_id": top.community_id})
    card = ParkingCard.objects.select_for_update().get(pk=card.pk)
    if top.months:
        today = timezone.localdate()
        start = card.paid_until if card.paid_until and card.paid_until >= today else today
        card.paid_until = add_months(start, top.months)
    else:
        card.balance += top.amount
    card.save(update_fields=["balance", "paid_until"])
    top.credited_at = timezone.now()
    top.save(update_fields=["credited_at"])
    description = gettext("Parking card %(space)s") % {"space": top.space}
    if top.months:
        description += " " + gettext("%(months)s months") % {"months": top.months}
    receipts.issue(order, house=House.objects.get(pk=top.house_id),
                   lines=[{"description": description, "amount": f"{top.amount:.2f}"}])


def register():
    from portal.payments import purposes

    from .receipts import ways_on_to

    purposes.register(PURPOSE, label=_("Parking card top-up"), on_paid=top_up_paid,
                      ways_on=ways_on_to("my_bills:parking", _("Parking card")))
