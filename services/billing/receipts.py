"""Electronic receipts (电子收据): one per settled payment of bills, advance or a parking
card, numbered per company without gaps (SJ20261123-000123: the day it was issued and
the company's running number), with a PDF made on request from the stored lines."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal import pdf
from portal.estates.models import Community, Company, House
from portal.estates.scope import ScopedQuerySet
from portal.payments.models import PaymentOrder

from .models import MONEY


class ReceiptSequence(models.Model):
    """The last receipt number a company issued; its row is locked while numbering."""

    company = models.OneToOneField(Company, on_delete=models.CASCADE, related_name="+")
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("receipt sequence")
        verbose_name_plural = _("receipt sequences")

    def __str__(self):
        return f"{self.company_id}: {self.last}"


class ReceiptQuerySet(ScopedQuerySet):
    def for_resident(self, resident):
        return self.filter(payer_id=resident.user_id)


class Receipt(models.Model):
    order = models.OneToOneField(PaymentOrder, on_delete=models.PROTECT,
                                 related_name="receipt", verbose_name=_("payment order"))
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("company"))
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("community"))
    house = models.ForeignKey(House, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+", verbose_name=_("house"))
    payer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                              related_name="+", verbose_name=_("payer"))
    sequence = models.PositiveIntegerField(_("sequence"))
    number = models.CharField(_("receipt number"), max_length=32)
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    total = models.DecimalField(_("total (yuan)"), **MONEY)
    # [{"description": ..., "amount": "12.34"}], as paid: the receipt never changes.
    lines = models.JSONField(_("lines"), default=list)

    objects = ReceiptQuerySet.as_manager()
    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")
        ordering = ["-issued_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["company", "sequence"],
                                    name="receipt_sequence_unique"),
            models.UniqueConstraint(fields=["company", "number"], name="receipt_number_unique"),
        ]
        indexes = [models.Index(fields=["community", "-issued_at"]),
                   models.Index(fields=["payer", "-issued_at"])]

    def __str__(self):
        return self.number

    @property
    def filename(self):
        return f"{gettext('Receipt')}-{self.number}.pdf"

    def render_pdf(self):
        return pdf.render(self.document())

    def document(self):
        """What the PDF says: number, date, community, house, payer, each line, the total
        in figures and in capitals, and the company that issued it."""
        order = self.order
        channel = order.get_channel_display()
        if order.offline_method:
            channel = f"{channel} ({order.get_offline_method_display()})"
        rows = [(gettext("Receipt number"), self.number),
                (gettext("Date"), timezone.localtime(self.issued_at).strftime("%Y-%m-%d")),
                (gettext("Community"), self.community.name)]
        if self.house_id:
            rows.append((gettext("House"), str(self.house)))
        rows += [(gettext("Payer"), _payer_label(self.payer)),
                 (gettext("Payment order"), order.out_trade_no),
                 (gettext("Paid by"), channel)]
        total = Decimal(self.total)
        table = pdf.Table(
            header=[gettext("Item"), gettext("Amount (yuan)")],
            body=[[line["description"], line["amount"]] for line in self.lines],
            footer=[[gettext("Total"), f"{total:.2f}"],
                    [gettext("Total in words"), pdf.yuan_in_capitals(total)]],
            widths=[3, 2], numeric=(1,))
        return pdf.Document(
            title=gettext("Receipt"), subtitle=self.company.name, rows=rows, tables=[table],
            notes=[gettext("Issued by %(company)s. Keep it for your records.")
                   % {"company": self.company.name}],
            size="receipt", author=self.company.name)


def _payer_label(user):
    resident = getattr(user, "resident", None)
    name = getattr(resident, "name", "") or user.get_full_name() or ""
    masked = ""
    if resident is not None:
        masked = getattr(resident, "masked_phone", "") or ""
    return " ".join(part for part in (name, masked) if part) or "—"


def bill_lines(bill, amount):
    """Receipt lines of one bill paid: a line per fee line still owed, or one line when
    the amount is not the whole bill."""
    period = f"{bill.period_start:%Y-%m}"
    lines = [line for line in bill.lines.all() if line.amount_due > 0]
    if sum((line.amount_due for line in lines), Decimal(0)) == amount:
        return [{"description": f"{bill.house} {period} {line.description}",
                 "amount": f"{line.amount_due:.2f}"} for line in lines]
    return [{"description": f"{bill.house} {period} {gettext('Property fees')}",
             "amount": f"{amount:.2f}"}]


def issue(order, *, house, lines):
    """The receipt of a settled order (inside its settling transaction), once."""
    existing = Receipt.objects.filter(order=order).first()
    if existing is not None:
        return existing
    company_id = Community.objects.filter(pk=order.community_id).values_list(
        "company_id", flat=True).get()
    sequence, _created = ReceiptSequence.objects.get_or_create(company_id=company_id)
    sequence = ReceiptSequence.objects.select_for_update().get(pk=sequence.pk)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    now = timezone.now()
    return Receipt.objects.create(
        order=order, company_id=company_id, community_id=order.community_id, house=house,
        payer_id=order.payer_id, sequence=sequence.last,
        number=f"SJ{timezone.localtime(now):%Y%m%d}-{sequence.last:06d}", issued_at=now,
        total=order.amount, lines=lines)


def ways_on_to(url_name, label):
    """A billing purpose's ``ways_on`` (portal.payments.purposes): back to the owner's
    page ``url_name``, then, once paid, the receipt."""
    def ways_on(order):
        ways = [{"id": "back-to-purpose", "url": reverse(url_name), "label": label}]
        receipt = getattr(order, "receipt", None) if order.is_paid else None
        if receipt is not None:
            ways.append({"id": "receipt",
                         "url": reverse("my_bills:receipt", args=[receipt.number]),
                         "label": gettext("Receipt %(number)s (PDF)")
                         % {"number": receipt.number}})
        return ways
    return ways_on
