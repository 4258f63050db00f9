"""Personal notices: a short message from the office to chosen residents (a fee
reminder to the owners of some houses), sent through the notification service to their
inbox and WeChat, and kept as a record of who was told what."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import log

from portal.estates.models import Community, Occupancy, Resident
from portal.estates.scope import ScopedQuerySet

PERSONAL_NOTICE = "notices.personal"


def residents_living_in(*, buildings=(), units=(), houses=()):
    """The residents with an active binding to one of the houses, or to a house in one
    of the units or buildings."""
    bindings = Occupancy.objects.filter(state__in=Occupancy.ACTIVE_STATES).filter(
        models.Q(house__in=list(houses)) | models.Q(house__unit__in=list(units))
        | models.Q(house__building__in=list(buildings)))
    return Resident.objects.filter(pk__in=bindings.values("resident_id"))


class PersonalNoticeQuerySet(ScopedQuerySet):
    def for_resident(self, resident):
        return self.filter(recipients=resident)


class PersonalNotice(models.Model):
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+",
                                  verbose_name=_("community"))
    subject = models.CharField(_("subject"), max_length=20,
                               help_text=_("Short: WeChat shows at most 20 characters."))
    text = models.TextField(_("message"), max_length=500)
    recipients = models.ManyToManyField(Resident, related_name="personal_notices",
                                        verbose_name=_("recipients"))
    recipient_count = models.PositiveIntegerField(_("recipients"), default=0)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                null=True, related_name="+", verbose_name=_("sent by"))
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    # The sending form's one-time key: a form submitted twice sends once.
    form_key = models.CharField(max_length=36, unique=True, editable=False)

    objects = PersonalNoticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("personal notice")
        verbose_name_plural = _("personal notices")
        ordering = ["-sent_at", "-pk"]

    def __str__(self):
        return self.subject

    @classmethod
    def send(cls, community, residents, *, subject, text, by, form_key):
        """Tell ``residents`` (of ``community``, whose staff ``by`` is); returns the
        record and whether it was new (False: this form was sent already)."""
        from portal.notifications import notify_many

        sent = cls.objects.filter(form_key=form_key).first()
        if sent is not None:
            return sent, False
        if not Community.objects.visible_to(by).filter(pk=community.pk).exists():
            raise ValidationError(_("You do not serve this community."))
        residents = list(Resident.objects.visible_to(by)
                         .filter(pk__in=[resident.pk for resident in residents],
                                 community=community, user__is_active=True))
        if not residents:
            raise ValidationError(_("Nobody lives in the houses chosen."))
        try:
            with transaction.atomic():
                notice = cls.objects.create(community=community, subject=subject, text=text,
                                            sent_by=by, form_key=form_key,
                                            recipient_count=len(residents))
                notice.recipients.set(residents)
                notify_many([resident.user_id for resident in residents], PERSONAL_NOTICE,
                            {"subject": subject, "text": text}, community=community)
                log(notice, "notices.personal.send", user=by,
                    data={"recipients": len(residents)})
        except IntegrityError:
            # The same form, submitted twice at once: the other one sent it.
            return cls.objects.get(form_key=form_key), False
        return notice, True
