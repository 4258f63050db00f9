"""Arrears (欠费) and dunning notices (催缴通知).

``arrears(bills)`` turns overdue bills into one row per house: what it owes, how many
bills, the oldest due date and its age in days; finance sorts them by amount or age and
sends a DunningNotice to the houses it chooses. A notice keeps what it said (the bills,
the total, the oldest due date) so its PDF letter reads the same whenever it is printed,
tells the house's verified occupants (owners first), and records a BillReminder of kind
``dunning`` for each bill it names. A notice request carries a key: the same request
sent twice (a double click, a retried POST) writes each house's notice once.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import Count, F, Min, Sum
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

from portal.estates.models import Building, Community, House, Occupancy, OwnerRecord
from portal.estates.scope import ScopedQuerySet

from .reminders import BillReminder, bills_url, recipients_of

MONEY = {"max_digits": 12, "decimal_places": 2}
SORTS = {"amount": ("-owed", "oldest_due", "house_id"),
         "age": ("oldest_due", "-owed", "house_id")}


def arrears(bills, *, on=None, community=None, building=None, min_amount=None, min_age=None,
            sort="amount"):
    """Overdue bills (a Bill queryset, already scoped) per house, largest debt first (or
    oldest first with sort="age"): dicts of house_id, owed, bills, oldest_due."""
    on = on or timezone.localdate()
    rows = bills.overdue(on)
    if community is not None:
        rows = rows.filter(community=community)
    if building is not None:
        rows = rows.filter(building=building)
    rows = (rows.order_by().values("house_id")
            .annotate(owed=Sum(F("amount_due") - F("amount_paid")), bills=Count("pk"),
                      oldest_due=Min("due_date"))
            .filter(owed__gt=0))
    if min_amount is not None:
        rows = rows.filter(owed__gte=min_amount)
    if min_age is not None:
        rows = rows.filter(oldest_due__lte=on - timezone.timedelta(days=min_age))
    return rows.order_by(*SORTS.get(sort, SORTS["amount"]))


@dataclass
class ArrearsRow:
    house: House
    owed: Decimal
    bills: int
    oldest_due: date
    age: int
    owner_name: str
    owner_phone: str


def money(value):
    return (value or Decimal(0)).quantize(Decimal("0.01"))


def describe(rows, on=None):
    """ArrearsRows for a page of ``arrears()`` rows: the house, its owner on file
    (phone masked) and the age of its oldest debt."""
    on = on or timezone.localdate()
    rows = list(rows)
    houses = House.objects.select_related("unit__building", "community").in_bulk(
        [row["house_id"] for row in rows])
    owners = {}
    for record in OwnerRecord.objects.filter(house_id__in=houses).order_by("house_id", "pk"):
        owners.setdefault(record.house_id, record)
    described = []
    for row in rows:
        owner = owners.get(row["house_id"])
        described.append(ArrearsRow(
            house=houses[row["house_id"]], owed=money(row["owed"]), bills=row["bills"],
            oldest_due=row["oldest_due"], age=(on - row["oldest_due"]).days,
            owner_name=owner.name if owner else "",
            owner_phone=owner.masked_phone if owner else ""))
    return described


class DunningNoticeQuerySet(ScopedQuerySet):
    def for_resident(self, resident):
        return self.filter(house__in=Occupancy.objects.filter(
            resident=resident, state=Occupancy.State.VERIFIED).values("house_id"))


class NothingOwed(Exception):
    """The house owes nothing overdue (paid or waived meanwhile)."""


class DunningNotice(models.Model):
    """One dunning notice to one house: what it said, who sent it, whom it told."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+",
                                  verbose_name=_("community"))
    building = models.ForeignKey(Building, on_delete=models.CASCADE, related_name="+",
                                 verbose_name=_("building"))
    house = models.ForeignKey(House, on_delete=models.CASCADE, related_name="dunning_notices",
                              verbose_name=_("house"))
    number = models.CharField(_("letter number"), max_length=32, unique=True)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                related_name="+", verbose_name=_("sent by"))
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    amount_owed = models.DecimalField(_("amount owed"), **MONEY)
    bill_count = models.PositiveIntegerField(_("bills owed"))
    oldest_due = models.DateField(_("oldest due date"))
    # [{"period": "2026-10", "amount_due": "…", "amount_paid": "…", "owed": "…",
    #   "due_date": "2026-10-15"}, …] as they stood when the notice was sent.
    bills = models.JSONField(default=list)
    recipients = models.PositiveIntegerField(_("people told"), default=0)
    request_key = models.CharField(max_length=64, editable=False)

    objects = DunningNoticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("dunning notice")
        verbose_name_plural = _("dunning notices")
        ordering = ["-sent_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["request_key", "house"],
                                    name="one_dunning_notice_per_request_and_house"),
        ]
        indexes = [models.Index(fields=["community", "sent_at"])]

    def __str__(self):
        return f"{self.number} {self.house}"

    @property
    def age(self):
        return (self.sent_at.date() - self.oldest_due).days

    @classmethod
    def send(cls, house, *, by, request_key, on=None):
        """Send one house its notice; returns (notice, created). NothingOwed when the
        house has no overdue debt now. The house's bills are locked while the notice is
        written, so it names what is owed at that moment."""
        from portal.notifications import events
        from portal.notifications.service import notify_many

        from .models import Bill

        on = on or timezone.localdate()
        existing = cls.objects.filter(request_key=request_key, house=house).first()
        if existing is not None:
            return existing, False
        try:
            with transaction.atomic():
                bills = list(Bill.objects.select_for_update().overdue(on)
                             .filter(house=house, amount_due__gt=F("amount_paid"))
                             .order_by("due_date", "period_start"))
                if not bills:
                    raise NothingOwed(house)
                owed = sum((bill.amount_owed for bill in bills), Decimal(0))
                oldest = bills[0].due_date
                users = recipients_of(house.pk)
                notice = cls.objects.create(
                    community_id=house.community_id, building_id=house.building_id,
                    house=house, number=_letter_number(house), sent_by=by,
                    amount_owed=owed, bill_count=len(bills), oldest_due=oldest,
                    bills=[{"period": str(bill.period), "amount_due": f"{bill.amount_due:.2f}",
                            "amount_paid": f"{bill.amount_paid:.2f}",
                            "owed": f"{bill.amount_owed:.2f}",
                            "due_date": bill.due_date.isoformat()} for bill in bills],
                    recipients=len(users), request_key=request_key)
                context = {"house": house.label, "amount": f"{owed:.2f}",
                           "bills": len(bills), "due_date": oldest.isoformat()}
                message = events.get("billing.dunning").values(context)["body"][:300]
                BillReminder.objects.bulk_create(
                    BillReminder(bill=bill, community_id=bill.community_id,
                                 kind=BillReminder.Kind.DUNNING, message=message,
                                 recipients=len(users), dunning=notice) for bill in bills)
                if users:
                    notify_many(users, "billing.dunning", context, url=bills_url())
        except IntegrityError:
            # The same request, at the same moment, from another thread.
            return cls.objects.get(request_key=request_key, house=house), False
        return notice, True


def _letter_number(house):
    import secrets

    return f"CJ{timezone.localtime():%Y%m%d}{house.pk % 10000:04d}{secrets.token_hex(3).upper()}"


def letters_pdf(notices):
    """The dunning letters of ``notices`` as one PDF, a page per letter (one notice: the
    letter to print for that house)."""
    from io import BytesIO

    from django.utils.text import capfirst
    from django.utils.translation import gettext
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import (
        PageBreak,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )

    from portal import pdf

    def text(value):
        return escape(str(value)).replace("\n", "<br/>")

    styles = {
        "title": ParagraphStyle("t", fontName=pdf.FONT, fontSize=18, leading=24, alignment=1,
                                spaceAfter=6 * mm),
        "body": ParagraphStyle("b", fontName=pdf.FONT, fontSize=11, leading=17,
                               wordWrap="CJK", spaceAfter=3 * mm),
        "right": ParagraphStyle("r", fontName=pdf.FONT, fontSize=11, leading=17, alignment=2),
        "cell": ParagraphStyle("c", fontName=pdf.FONT, fontSize=10, leading=13),
        "number": ParagraphStyle("n", fontName=pdf.FONT, fontSize=10, leading=13, alignment=2),
    }
    buffer = BytesIO()
    margin = 18 * mm
    document = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=margin, rightMargin=margin,
                                 topMargin=margin, bottomMargin=margin,
                                 title=gettext("Dunning notice"))
    width = A4[0] - 2 * margin
    story = []
    for index, notice in enumerate(notices):
        if index:
            story.append(PageBreak())
        house = notice.house
        company = notice.community.company.name
        story += [
            Paragraph(text(gettext("Payment reminder")), styles["title"]),
            Paragraph(text(gettext("Letter number: %(number)s") % {"number": notice.number}),
                      styles["right"]),
            Paragraph(text(gettext("To the owner of %(house)s, %(community)s:") % {
                "house": house.label, "community": notice.community.name}), styles["body"]),
            Paragraph(text(gettext(
                "Our records show that the following bills of your house were not paid by "
                "their due date. The total owed is %(amount)s yuan (%(capitals)s); the "
                "oldest was due on %(due)s.") % {
                    "amount": f"{notice.amount_owed:.2f}",
                    "capitals": pdf.yuan_in_capitals(notice.amount_owed),
                    "due": notice.oldest_due.isoformat()}), styles["body"]),
        ]
        # "period" is the bill's own field label (账期); a bare "Period" is a report's.
        header = [capfirst(gettext("period")), gettext("Amount due"), gettext("Paid"),
                  gettext("Owed"), gettext("Due date")]
        rows = [[Paragraph(text(value), styles["cell"]) for value in header]]
        for bill in notice.bills:
            rows.append([Paragraph(text(bill["period"]), styles["cell"]),
                         *[Paragraph(text(bill[key]), styles["number"])
                           for key in ("amount_due", "amount_paid", "owed")],
                         Paragraph(text(bill["due_date"]), styles["cell"])])
        rows.append([Paragraph(text(gettext("Total")), styles["cell"]), "", "",
                     Paragraph(text(f"{notice.amount_owed:.2f}"), styles["number"]), ""])
        table = Table(rows, colWidths=[width * part for part in (0.24, 0.19, 0.19, 0.19, 0.19)],
                      repeatRows=1)
        table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                                   ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee"))]))
        service = notice.community.service_phone or notice.community.company.service_phone
        story += [Spacer(1, 4 * mm), table, Spacer(1, 6 * mm),
                  Paragraph(text(gettext(
                      "Please pay within 15 days, online in the owner service or at the "
                      "service centre. If you have paid meanwhile, please ignore this letter.")),
                      styles["body"])]
        if service:
            story.append(Paragraph(text(gettext("Service phone: %(phone)s") % {"phone": service}),
                                   styles["body"]))
        story += [Spacer(1, 10 * mm),
                  Paragraph(text(f"{company} {notice.community.name}"), styles["right"]),
                  Paragraph(text(f"{timezone.localtime(notice.sent_at):%Y-%m-%d}"),
                            styles["right"])]
    document.build(story)
    return buffer.getvalue()
