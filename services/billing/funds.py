"""Public funds statements (大修基金 / 公共收益): what came in and went out of a
community's major-repair fund or its public income in a period. Finance writes them in
the admin and publishes them; verified residents of the community read published ones."""

from decimal import Decimal

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.log_actions import log

from portal.estates.errors import TransitionNotAllowed
from portal.estates.models import Community, Occupancy
from portal.estates.scope import ScopedQuerySet

from .models import MONEY, NOT_NEGATIVE


class FundKind(models.TextChoices):
    MAJOR_REPAIR = "major_repair", _("Major repair fund")
    PUBLIC_INCOME = "public_income", _("Public income")


class FundStatementQuerySet(ScopedQuerySet):
    def for_resident(self, resident):
        verified = Occupancy.objects.filter(resident=resident,
                                            state=Occupancy.State.VERIFIED)
        return self.filter(published=True,
                           community__in=verified.values("house__community_id"))

    def published(self):
        return self.filter(published=True)


class FundStatement(ClusterableModel):
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("community"))
    kind = models.CharField(_("fund"), max_length=16, choices=FundKind.choices)
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    opening_balance = models.DecimalField(_("opening balance (yuan)"), **MONEY,
                                          default=Decimal("0.00"))
    note = models.TextField(_("note"), blank=True)
    published = models.BooleanField(_("published"), default=False, editable=False)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True,
                                        editable=False)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                     null=True, blank=True, related_name="+",
                                     editable=False, verbose_name=_("published by"))

    objects = FundStatementQuerySet.as_manager()

    class Meta:
        verbose_name = _("funds statement")
        verbose_name_plural = _("funds statements")
        ordering = ["community", "-period_start", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["community", "kind", "period_start"],
                                    name="one_fund_statement_per_period"),
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")),
                                   name="fund_statement_period_in_order"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.period_start:%Y-%m-%d}–{self.period_end:%Y-%m-%d}"

    def _total(self, direction):
        return sum((line.amount for line in self.lines.all() if line.direction == direction),
                   Decimal("0.00"))

    @property
    def income(self):
        return self._total(FundLine.Direction.INCOME)

    @property
    def expenses(self):
        return self._total(FundLine.Direction.EXPENSE)

    @property
    def closing_balance(self):
        return self.opening_balance + self.income - self.expenses

    def publish(self, by):
        """Show the statement to the community's residents (once)."""
        with transaction.atomic():
            current = FundStatement.objects.select_for_update().get(pk=self.pk)
            if current.published:
                raise TransitionNotAllowed(gettext("This statement is published already."))
            if not current.lines.exists():
                raise TransitionNotAllowed(gettext("Add the statement's lines first."))
            current.published, current.published_at = True, timezone.now()
            current.published_by = by
            current.save(update_fields=["published", "published_at", "published_by"])
            log(current, "wagtail.publish", user=by)
        self.published, self.published_at, self.published_by = (
            True, current.published_at, by)


class FundLine(models.Model):
    class Direction(models.TextChoices):
        INCOME = "income", _("Income")
        EXPENSE = "expense", _("Expense")

    statement = ParentalKey(FundStatement, on_delete=models.CASCADE, related_name="lines")
    direction = models.CharField(_("income or expense"), max_length=8,
                                 choices=Direction.choices)
    date = models.DateField(_("date"), null=True, blank=True)
    description = models.CharField(_("description"), max_length=200)
    amount = models.DecimalField(_("amount (yuan)"), **MONEY, validators=NOT_NEGATIVE)
    sort_order = models.PositiveSmallIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("funds statement line")
        verbose_name_plural = _("funds statement lines")
        ordering = ["sort_order", "pk"]

    def __str__(self):
        return self.description
