"""Who repairs what, and when: teams of workers, the on-duty calendar, and the rules
that send a new ticket straight to a worker or a team (services.tickets.dispatch)."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.estates.models import Building, Community, Staff
from portal.estates.scope import ScopedQuerySet

from .categories import TicketCategory


class WorkerTeam(models.Model):
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+",
                                  verbose_name=_("community"))
    name = models.CharField(_("name"), max_length=50)
    members = models.ManyToManyField(Staff, related_name="teams", verbose_name=_("members"))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("worker team")
        verbose_name_plural = _("worker teams")
        ordering = ["community", "name"]

    def __str__(self):
        return f"{self.community} · {self.name}"


class DutyShiftQuerySet(ScopedQuerySet):
    def on_duty(self, at):
        return self.filter(starts_at__lte=at, ends_at__gt=at)


class DutyShift(models.Model):
    """One worker on duty in one community for a stretch of time (值班表)."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+",
                                  verbose_name=_("community"))
    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="shifts",
                              verbose_name=_("worker"))
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))

    objects = DutyShiftQuerySet.as_manager()

    class Meta:
        verbose_name = _("duty shift")
        verbose_name_plural = _("duty shifts")
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["community", "starts_at", "ends_at"])]

    def __str__(self):
        return f"{self.staff} {self.starts_at:%Y-%m-%d %H:%M}"

    def clean(self):
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("The shift must end after it starts.")})


class DispatchRuleQuerySet(ScopedQuerySet):
    pass


class DispatchRule(models.Model):
    """A ticket of this category in this community (or building) goes to this worker,
    or to the least busy on-duty member of this team. The most specific rule wins."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+",
                                  verbose_name=_("community"))
    building = models.ForeignKey(Building, on_delete=models.CASCADE, null=True, blank=True,
                                 related_name="+", verbose_name=_("building"),
                                 help_text=_("Leave empty for the whole community."))
    category = models.ForeignKey(TicketCategory, on_delete=models.CASCADE, null=True,
                                 blank=True, related_name="+", verbose_name=_("category"),
                                 help_text=_("Leave empty for every repair category."))
    worker = models.ForeignKey(Staff, on_delete=models.CASCADE, null=True, blank=True,
                               related_name="+", verbose_name=_("worker"))
    team = models.ForeignKey(WorkerTeam, on_delete=models.CASCADE, null=True, blank=True,
                             related_name="+", verbose_name=_("team"))
    active = models.BooleanField(_("active"), default=True)

    objects = DispatchRuleQuerySet.as_manager()

    class Meta:
        verbose_name = _("dispatch rule")
        verbose_name_plural = _("dispatch rules")
        ordering = ["community", "building", "category"]

    def __str__(self):
        where = self.building or self.community
        category = self.category or _("Every category")
        return f"{category} · {where} → {self.worker or self.team}"

    def clean(self):
        if bool(self.worker_id) == bool(self.team_id):
            raise ValidationError(_("Choose either a worker or a team."))
        if self.building_id and self.building.community_id != self.community_id:
            raise ValidationError({"building": _("This building is not in the community.")})
        if self.team_id and self.team.community_id != self.community_id:
            raise ValidationError({"team": _("This team works in another community.")})
