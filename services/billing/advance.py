"""Advance balance (预缴): an owner pays ahead for a house; later bills draw from it.

``prepay(user, house, months=… | amount=…)`` opens a payment order (purpose
"billing.advance"); when it is paid, the house's AdvanceAccount is credited (an
AdvanceEntry with the order). ``AdvanceAccount.draw_for(bill)`` pays an open bill from
the balance (locked, never below zero, a BillEvent and an entry); ``draw_for_bills``
does it for freshly generated bills and the ``draw_advance`` task for a whole community
after a bill run. A refund of an advance order takes the amount back from the balance: it
is refused when asked (``advance_can_refund``) if the balance no longer holds it.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from portal.estates.errors import TransitionNotAllowed
from portal.estates.models import Community, House
from portal.payments.models import PaymentOrder

from .models import MONEY, OPEN_STATES, Bill, FeeItem, OwnHousesQuerySet

PURPOSE = "billing.advance"
ZERO = Decimal("0.00")
MAX_MONTHS = 24
MAX_AMOUNT = Decimal("50000.00")
MIN_AMOUNT = Decimal("1.00")


class AdvanceAccount(models.Model):
    house = models.OneToOneField(House, on_delete=models.PROTECT, related_name="advance",
                                 verbose_name=_("house"))
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("community"))
    balance = models.DecimalField(_("balance (yuan)"), **MONEY, default=ZERO)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    objects = OwnHousesQuerySet.as_manager()
    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = _("advance account")
        verbose_name_plural = _("advance accounts")
        ordering = ["community", "house"]
        constraints = [models.CheckConstraint(condition=Q(balance__gte=0),
                                              name="advance_balance_not_negative")]

    def __str__(self):
        return str(self.house)

    @classmethod
    def locked_for(cls, house):
        account, _created = cls.objects.get_or_create(
            house=house, defaults={"community_id": house.community_id})
        return cls.objects.select_for_update().get(pk=account.pk)

    def _entry(self, kind, amount, **kwargs):
        self.updated_at = timezone.now()
        self.save(update_fields=["balance", "updated_at"])
        return AdvanceEntry.objects.create(account=self, house_id=self.house_id,
                                           community_id=self.community_id, kind=kind,
                                           amount=amount, balance_after=self.balance,
                                           **kwargs)

    def draw_for(self, bill):
        """Pay what it can of an open bill (the caller holds this account's and the bill's
        locks). Returns the amount drawn."""
        from .paying import apply_to_bill

        if bill.state not in OPEN_STATES or self.balance <= 0:
            return ZERO
        amount = min(self.balance, bill.amount_owed)
        if amount <= 0:
            return ZERO
        applied = apply_to_bill(bill, amount, action="advance",
                                reason=gettext("Paid from the advance balance"))
        self.balance -= applied
        self._entry(AdvanceEntry.Kind.DRAW, -applied, bill=bill)
        return applied


class AdvanceEntry(models.Model):
    class Kind(models.TextChoices):
        CREDIT = "credit", _("Paid in")
        DRAW = "draw", _("Bill paid")
        REFUND = "refund", _("Refunded")

    account = models.ForeignKey(AdvanceAccount, on_delete=models.PROTECT,
                                related_name="entries", verbose_name=_("account"))
    house = models.ForeignKey(House, on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)
    balance_after = models.DecimalField(_("balance after"), **MONEY)
    order = models.ForeignKey(PaymentOrder, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+", verbose_name=_("payment order"))
    bill = models.ForeignKey(Bill, on_delete=models.PROTECT, null=True, blank=True,
                             related_name="+", verbose_name=_("bill"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    objects = OwnHousesQuerySet.as_manager()
    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = _("advance entry")
        verbose_name_plural = _("advance entries")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # An order credits once, however often it is settled.
            models.UniqueConstraint(fields=["order"], condition=Q(kind="credit"),
                                    name="one_advance_credit_per_order"),
        ]

    def __str__(self):
        return f"{self.house_id} {self.kind} {self.amount}"


class AdvancePrepayment(models.Model):
    """What an advance payment order is for: the house and the months asked."""

    order = models.OneToOneField(PaymentOrder, on_delete=models.PROTECT,
                                 related_name="advance_prepayment")
    house = models.ForeignKey(House, on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    months = models.PositiveSmallIntegerField(null=True, blank=True)
    amount = models.DecimalField(**MONEY)

    objects = OwnHousesQuerySet.as_manager()
    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = _("advance prepayment")
        verbose_name_plural = _("advance prepayments")

    def __str__(self):
        return str(self.order_id)


def monthly_fees(house):
    """What the house is charged per month now by its area-based and fixed fee items."""
    total = ZERO
    for item in FeeItem.objects.filter(community_id=house.community_id, active=True,
                                       kind__in=[FeeItem.Kind.AREA, FeeItem.Kind.FIXED]):
        if item.kind == FeeItem.Kind.AREA:
            total += Decimal(str(house.area or 0)) * item.price_for(house.kind)
        else:
            total += item.unit_price
    return Decimal(total).quantize(Decimal("0.01"))


def prepay(user, house, *, months=None, amount=None, idempotency_key=""):
    """Open the payment order for paying ahead (N months of the house's fees, or an
    amount within limits). ``house`` must be one of the user's (visible_to)."""
    if months:
        try:
            months = int(str(months).strip())
        except ValueError:
            raise ValidationError({"months": gettext(
                "Give the months as a whole number, e.g. 3.")}) from None
        if not 1 <= months <= MAX_MONTHS:
            raise ValidationError({"months": gettext("Pay ahead between 1 and %(max)s months.")
                                   % {"max": MAX_MONTHS}})
        amount = monthly_fees(house) * months
        if amount <= 0:
            raise ValidationError({"months": gettext(
                "This house has no monthly fees to pay ahead; give an amount instead.")})
    else:
        from portal.payments.money import yuan
        try:
            amount = yuan(amount)
        except ValueError:
            raise ValidationError({"amount": gettext("Give the amount in yuan, e.g. 500 or "
                                                     "500.00.")}) from None
        if not MIN_AMOUNT <= amount <= MAX_AMOUNT:
            raise ValidationError({"amount": gettext(
                "Pay ahead between %(min)s and %(max)s yuan.")
                % {"min": MIN_AMOUNT, "max": MAX_AMOUNT}})
    with transaction.atomic():
        order = PaymentOrder.objects.open(
            purpose=PURPOSE, payer=user, community=house.community, amount=amount,
            description=gettext("Advance payment %(house)s") % {"house": house},
            idempotency_key=idempotency_key)
        AdvancePrepayment.objects.get_or_create(
            order=order, defaults={"house": house, "community_id": house.community_id,
                                   "months": months or None, "amount": amount})
    return order


def credit(house, amount, *, order, note=""):
    """Money paid in for the house (inside the settling transaction); then open bills of
    the house draw from it."""
    account = AdvanceAccount.locked_for(house)
    account.balance += amount
    account._entry(AdvanceEntry.Kind.CREDIT, amount, order=order, note=note[:200])
    _draw_open_bills(account)
    return account


def _draw_open_bills(account):
    from .paying import BillPayment

    busy = BillPayment.objects.in_progress().values("bill_id")
    bills = (Bill.objects.select_for_update().filter(house_id=account.house_id,
                                                     state__in=OPEN_STATES)
             .exclude(pk__in=busy).order_by("due_date", "pk"))
    for bill in bills:
        if account.balance <= 0:
            break
        account.draw_for(bill)


def debit(house, amount, *, order, note=""):
    """Money of the house's balance given back (inside the refund-settling transaction).
    A balance that no longer holds it raises TransitionNotAllowed, so that the caller's
    transaction rolls back: money given back that the balance cannot give would be lost
    (the purposes' can_refund refuse such a refund when it is asked). Returns the
    amount."""
    account = AdvanceAccount.locked_for(house)
    amount = Decimal(amount)
    if amount <= 0:
        return ZERO
    if amount > account.balance:
        raise TransitionNotAllowed(
            gettext("The advance balance of %(house)s holds %(balance)s yuan; %(amount)s "
                    "yuan cannot be given back from it. Nothing was changed.")
            % {"house": house, "balance": account.balance, "amount": amount})
    account.balance -= amount
    account._entry(AdvanceEntry.Kind.REFUND, -amount, order=order, note=note[:200])
    return amount


def _refunds_under_way(house_id):
    from portal.payments.models import Refund

    return Refund.objects.filter(
        state=Refund.State.PROCESSING, order__purpose=PURPOSE,
        order__advance_prepayment__house_id=house_id).aggregate(
        total=models.Sum("amount"))["total"] or ZERO


def free_balance(house):
    """What the house's balance can still give back: the balance (locked) less the
    refunds under way of advance payments."""
    return AdvanceAccount.locked_for(house).balance - _refunds_under_way(house.pk)


def advance_can_refund(order, amount):
    """can_refund: only what the balance still holds (less refunds under way) can be
    given back; a balance already spent on bills cannot."""
    prepayment = AdvancePrepayment.objects.select_related("house").get(order=order)
    free = free_balance(prepayment.house)
    if amount > free:
        return gettext("The advance balance of %(house)s holds %(free)s yuan that can be "
                       "given back; %(amount)s yuan cannot be refunded. Nothing was "
                       "changed.") % {"house": prepayment.house, "free": max(free, ZERO),
                                      "amount": amount}
    return None


def advance_refunded(refund):
    """on_refunded: the amount leaves the house's advance balance."""
    prepayment = AdvancePrepayment.objects.select_related("house").get(order=refund.order)
    debit(prepayment.house, refund.amount, order=refund.order,
          note=gettext("Refund %(refund)s: %(reason)s") % {
              "refund": refund.out_refund_no, "reason": refund.reason})


def advance_paid(order):
    from . import receipts

    prepayment = AdvancePrepayment.objects.select_related("house").get(order=order)
    credit(prepayment.house, order.amount, order=order)
    receipts.issue(order, house=prepayment.house, lines=[{
        "description": (gettext("Advance payment, %(months)s months") % {
            "months": prepayment.months} if prepayment.months
            else gettext("Advance payment")),
        "amount": f"{order.amount:.2f}"}])


def draw_for_bills(bills):
    """After generation: each house with a balance pays its new bills from it. One short
    transaction per house; safe to run again."""
    house_ids = {bill.house_id for bill in bills}
    with_balance = AdvanceAccount.objects.filter(house_id__in=house_ids, balance__gt=0)
    drawn = ZERO
    for account_id in with_balance.values_list("pk", flat=True):
        with transaction.atomic():
            account = AdvanceAccount.objects.select_for_update().get(pk=account_id)
            before = account.balance
            _draw_open_bills(account)
            drawn += before - account.balance
    return drawn


def draw_for_community(community_id):
    """Every house of a community with a balance and open bills draws from it."""
    houses = Bill.objects.filter(community_id=community_id, state__in=OPEN_STATES,
                                 house__advance__balance__gt=0).values_list(
        "house_id", flat=True).distinct()
    return draw_for_bills([Bill(house_id=pk) for pk in houses])


def balances(houses):
    """{house id: balance} of these houses (zero when they have no account)."""
    rows = AdvanceAccount.objects.filter(house__in=houses).values_list("house_id", "balance")
    return dict(rows)


def register():
    from portal.payments import purposes

    from .receipts import ways_on_to

    purposes.register(PURPOSE, label=_("Advance payment"), on_paid=advance_paid,
                      on_refunded=advance_refunded, can_refund=advance_can_refund,
                      ways_on=ways_on_to("my_bills:list", _("Back to my bills")))



@task()
def draw_advance(community_id):
    """After a bill run (or daily): the community's houses with an advance balance pay
    their open bills from it. Safe to run twice: a paid bill draws nothing."""
    return str(draw_for_community(community_id))
