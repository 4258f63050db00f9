"""What a ticket is about, and how fast the company promises to answer it (SLA)."""

from datetime import timedelta

from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.estates.models import Company, Trade


class TicketKind(models.TextChoices):
    REPAIR = "repair", _("Repair")
    COMPLAINT = "complaint", _("Complaint")
    SUGGESTION = "suggestion", _("Suggestion")


class Urgency(models.TextChoices):
    NORMAL = "normal", _("Normal")
    URGENT = "urgent", _("Urgent")


class TicketCategoryQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Categories are the company's: its staff and residents see them."""
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        for profile in ("staff", "resident"):
            person = getattr(user, profile, None)
            if person is not None:
                company_id = (person.company_id if profile == "staff"
                              else person.community.company_id)
                return self.filter(company_id=company_id)
        return self.none()

    def active(self):
        return self.filter(active=True)


class TicketCategory(models.Model):
    """Water, electricity, elevator ... for repairs; service, noise ... for complaints.
    The deadlines are the service-level promise per urgency."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+",
                                verbose_name=_("company"))
    kind = models.CharField(_("kind"), max_length=12, choices=TicketKind.choices,
                            default=TicketKind.REPAIR)
    name = models.CharField(_("name"), max_length=30)
    trade = models.ForeignKey(
        Trade, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("trade"),
        help_text=_("Workers of this trade are suggested when dispatching."))
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)
    response_minutes = models.PositiveIntegerField(
        _("response within (minutes)"), default=30,
        help_text=_("From submission until customer service accepts or dispatches it."))
    completion_hours = models.PositiveIntegerField(
        _("completion within (hours)"), default=48)
    urgent_response_minutes = models.PositiveIntegerField(
        _("urgent: response within (minutes)"), default=10)
    urgent_completion_hours = models.PositiveIntegerField(
        _("urgent: completion within (hours)"), default=4)

    objects = TicketCategoryQuerySet.as_manager()

    class Meta:
        verbose_name = _("ticket category")
        verbose_name_plural = _("ticket categories")
        ordering = ["kind", "sort_order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["company", "kind", "name"],
                                    name="ticket_category_name_unique"),
        ]

    def __str__(self):
        return self.name

    def deadlines(self, urgency, start):
        """(response due, completion due) for a ticket submitted at ``start``."""
        if urgency == Urgency.URGENT:
            return (start + timedelta(minutes=self.urgent_response_minutes),
                    start + timedelta(hours=self.urgent_completion_hours))
        return (start + timedelta(minutes=self.response_minutes),
                start + timedelta(hours=self.completion_hours))


# What a new company starts with; the admin edits them (names are data, in Chinese).
DEFAULT_CATEGORIES = [
    (TicketKind.REPAIR, "水", "water"),
    (TicketKind.REPAIR, "电", "electricity"),
    (TicketKind.REPAIR, "燃气", "gas"),
    (TicketKind.REPAIR, "门窗", "carpentry"),
    (TicketKind.REPAIR, "电梯", "elevator"),
    (TicketKind.REPAIR, "公共设施", "general"),
    (TicketKind.REPAIR, "其他", "general"),
    (TicketKind.COMPLAINT, "服务态度", None),
    (TicketKind.COMPLAINT, "环境卫生", None),
    (TicketKind.COMPLAINT, "噪音扰民", None),
    (TicketKind.COMPLAINT, "停车秩序", None),
    (TicketKind.COMPLAINT, "其他", None),
    (TicketKind.SUGGESTION, "服务建议", None),
    (TicketKind.SUGGESTION, "其他", None),
]


def ensure_default_categories(company_id, category_model=None, trade_model=None):
    """Give a company the default categories it does not have yet (idempotent; usable
    from a data migration with its historical models)."""
    category_model = category_model or TicketCategory
    trade_model = trade_model or Trade
    trades = dict(trade_model.objects.values_list("code", "pk"))
    for order, (kind, name, trade) in enumerate(DEFAULT_CATEGORIES):
        category_model.objects.get_or_create(
            company_id=company_id, kind=kind, name=name,
            defaults={"trade_id": trades.get(trade), "sort_order": order})
