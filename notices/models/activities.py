"""Community activities (小区活动) and the residents' sign-ups for them.

HomePage
└── ActivityIndexPage ─ ActivityPage (targeted like a notice: ActivityTarget rows)

ActivitySignup: a resident signs up for an activity for some people; the sign-up is
confirmed while places last (capacity counts people), else waitlisted when the activity
keeps a waitlist. Cancelling moves the first waitlisted sign-ups that fit up. Staff check
people in on the day. Every change locks the activity's row first, so two sign-ups for
the last place never both get it.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import IntegrityError, models, transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.log_actions import log
from wagtail.models import Page
from wagtail.search import index

from portal.crypto import EncryptedCharField, mask_phone
from portal.estates.errors import TransitionNotAllowed
from portal.estates.models import Community, House, Occupancy, Resident
from portal.estates.scope import ScopedQuerySet

from .. import targeting
from ..blocks import BodyBlock
from ..forms import ActivityPageForm
from .pages import CommunityPage, PagePush, PageTarget, audience_panel


class ActivityIndexPage(CommunityPage):
    intro = models.CharField(_("introduction"), max_length=200, blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    promote_panels = [*Page.promote_panels, FieldPanel("public")]

    subpage_types = ["notices.ActivityPage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("activity index page")

    def serve(self, request, *args, **kwargs):
        # The list itself is open; what it lists depends on who asks.
        return Page.serve(self, request, *args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        from ..activity_listing import activity_list_context

        context = super().get_context(request, *args, **kwargs)
        context.update(activity_list_context(self, request))
        return context


class ActivityPage(CommunityPage):
    summary = models.CharField(
        _("summary"), max_length=200,
        help_text=_("One or two sentences for the activity list and for sharing in WeChat."),
    )
    cover = models.ForeignKey("wagtailimages.Image", on_delete=models.SET_NULL, null=True,
                              blank=True, related_name="+", verbose_name=_("cover image"))
    body = StreamField(BodyBlock(), verbose_name=_("body"), blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=100)
    signup_deadline = models.DateTimeField(_("sign-up deadline"))
    capacity = models.PositiveIntegerField(
        _("capacity"), null=True, blank=True, validators=[MinValueValidator(1)],
        help_text=_("How many people may come, counting everyone a sign-up brings. "
                    "Leave empty for no limit."),
    )
    waitlist = models.BooleanField(
        _("keep a waitlist"), default=True,
        help_text=_("When the places are taken, further sign-ups wait for a cancellation."),
    )
    ask_people = models.BooleanField(_("ask how many people come"), default=True)
    max_people = models.PositiveSmallIntegerField(
        _("most people per sign-up"), default=4,
        validators=[MinValueValidator(1), MaxValueValidator(20)])
    ask_phone = models.BooleanField(_("ask for a contact phone"), default=True)
    ask_note = models.BooleanField(_("ask for a note"), default=False)
    fee = models.DecimalField(
        _("fee (yuan)"), max_digits=8, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("Shown on the page only; it is paid on the day."),
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("cover"),
        MultiFieldPanel([
            FieldRowPanel([FieldPanel("starts_at"), FieldPanel("ends_at")]),
            FieldPanel("place"),
            FieldPanel("fee"),
        ], heading=_("When and where")),
        MultiFieldPanel([
            FieldRowPanel([FieldPanel("signup_deadline"), FieldPanel("capacity"),
                           FieldPanel("waitlist")]),
            FieldRowPanel([FieldPanel("ask_people"), FieldPanel("max_people"),
                           FieldPanel("ask_phone"), FieldPanel("ask_note")]),
        ], heading=_("Sign-up")),
        FieldPanel("body"),
        audience_panel(),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("place"),
        index.SearchField("body"),
        index.SearchField("search_text"),
        index.FilterField("community"),
        index.FilterField("public"),
        index.FilterField("starts_at"),
    ]
    base_form_class = ActivityPageForm
    not_for_you = _("This activity is not for your building.")

    parent_page_types = ["notices.ActivityIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")

    def serve(self, request, *args, **kwargs):
        if not self.is_visible_to(request.user):
            return targeting.refuse(request, self)
        from ..activity_views import serve_activity

        return serve_activity(self, request)

    def searchable_texts(self):
        return [self.title, self.summary, self.place,
                *self.body.stream_block.get_searchable_content(self.body)]

    def push_message(self):
        from ..tasks import ACTIVITY_PUBLISHED

        starts = timezone.localtime(self.starts_at).strftime("%Y-%m-%d %H:%M")
        return ACTIVITY_PUBLISHED, {"activity": self.title, "summary": self.summary,
                                    "starts": starts, "place": self.place}

    @property
    def signup_open(self):
        return timezone.now() <= self.signup_deadline

    @property
    def has_started(self):
        return timezone.now() >= self.starts_at

    @property
    def is_over(self):
        return timezone.now() >= self.ends_at

    def confirmed_people(self):
        return (self.signups.filter(state=ActivitySignup.State.CONFIRMED)
                .aggregate(people=Sum("people"))["people"] or 0)

    def remaining_places(self):
        """Places left, in people; None when there is no limit."""
        if self.capacity is None:
            return None
        return max(self.capacity - self.confirmed_people(), 0)


class ActivityTarget(PageTarget):
    page = ParentalKey(ActivityPage, on_delete=models.CASCADE, related_name="targets")

    class Meta(PageTarget.Meta):
        indexes = [models.Index(fields=["community", "building", "unit"])]


class ActivityPush(PagePush):
    """Publishing an activity tells the residents it targets, once."""

    page = models.ForeignKey(ActivityPage, on_delete=models.CASCADE, related_name="pushes")

    log_action = "notices.activity.push"
    send_task = "send_activity_push"

    class Meta:
        verbose_name = _("activity push")
        verbose_name_plural = _("activity pushes")
        ordering = ["page", "round"]
        constraints = [
            models.UniqueConstraint(fields=["page", "round"],
                                    name="one_activity_push_per_round"),
        ]


class ActivitySignupQuerySet(ScopedQuerySet):
    def for_resident(self, resident):
        return self.filter(resident=resident)

    def live(self):
        return self.exclude(state=ActivitySignup.State.CANCELLED)


class ActivitySignup(models.Model):
    class State(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        WAITLISTED = "waitlisted", _("On the waitlist")
        CANCELLED = "cancelled", _("Cancelled")

    activity = models.ForeignKey(ActivityPage, on_delete=models.CASCADE, related_name="signups",
                                 verbose_name=_("activity"))
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+",
                                  editable=False)
    resident = models.ForeignKey(Resident, on_delete=models.CASCADE,
                                 related_name="activity_signups", verbose_name=_("resident"))
    house = models.ForeignKey(House, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+", verbose_name=_("house"))
    people = models.PositiveSmallIntegerField(_("people"), default=1)
    phone = EncryptedCharField(_("contact phone"), blank=True, default="")
    note = models.CharField(_("note"), max_length=200, blank=True)
    state = models.CharField(_("state"), max_length=20, choices=State.choices,
                             default=State.CONFIRMED, db_index=True)
    # Order on the waitlist: a number that only grows per activity; the place shown is
    # how many waitlisted sign-ups have a smaller one.
    position = models.PositiveIntegerField(_("waitlist number"), null=True, blank=True)
    created_at = models.DateTimeField(_("signed up at"), default=timezone.now)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    checked_in_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                      null=True, blank=True, related_name="+",
                                      verbose_name=_("checked in by"))

    objects = ActivitySignupQuerySet.as_manager()

    class Meta:
        verbose_name = _("activity sign-up")
        verbose_name_plural = _("activity sign-ups")
        ordering = ["activity", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "resident"],
                                    condition=~Q(state="cancelled"),
                                    name="one_live_signup_per_resident"),
        ]

    def __str__(self):
        return f"{self.resident} · {self.activity}"

    @property
    def masked_phone(self):
        return mask_phone(self.phone)

    @property
    def is_live(self):
        return self.state != self.State.CANCELLED

    def waitlist_place(self):
        """1 for the first in line; None when not waiting."""
        if self.state != self.State.WAITLISTED:
            return None
        return ActivitySignup.objects.filter(activity_id=self.activity_id,
                                             state=self.State.WAITLISTED,
                                             position__lte=self.position).count()

    # -- state changes ---------------------------------------------------------------------

    @classmethod
    def sign_up(cls, activity, resident, *, house=None, people=1, phone="", note="", by=None):
        """Sign ``resident`` up: confirmed while places last, else waitlisted (or refused
        when the activity keeps no waitlist). Raises TransitionNotAllowed (or
        ValidationError for a bad field) and changes nothing when refused."""
        by = by or resident.user
        with transaction.atomic():
            activity = _locked(activity)
            _check_can_sign_up(activity, resident)
            house = _house_for(activity, resident, house)
            people = people if activity.ask_people else 1
            if not 1 <= people <= activity.max_people:
                raise ValidationError({"people": _("Between 1 and %(most)s people, please.")
                                       % {"most": activity.max_people}})
            if activity.ask_phone and not phone:
                raise ValidationError({"phone": _("Give a phone number to reach you on.")})
            signup = cls(activity=activity, community_id=activity.community_id,
                         resident=resident, house=house, people=people,
                         phone=phone if activity.ask_phone else "",
                         note=note if activity.ask_note else "")
            remaining = activity.remaining_places()
            if remaining is not None and people > remaining:
                if not activity.waitlist:
                    raise TransitionNotAllowed(_full_message(remaining))
                signup.state = cls.State.WAITLISTED
                signup.position = _next_position(activity)
            try:
                with transaction.atomic():
                    signup.save()
            except IntegrityError as error:
                # Another request of the same resident won the race past the check above.
                raise TransitionNotAllowed(
                    _("You have already signed up for this activity.")) from error
            log(activity, "notices.activity.sign_up", user=by,
                data={"signup": signup.pk, "state": signup.state, "people": people})
        return signup

    def cancel(self, by):
        """The resident (or staff for them) cancels; the first waitlisted sign-ups that
        fit the places freed move up and are told so."""
        with transaction.atomic():
            activity = _locked(self.activity)
            self.refresh_from_db()
            if self.state == self.State.CANCELLED:
                raise TransitionNotAllowed(_("This sign-up is already cancelled."))
            if timezone.now() >= activity.starts_at:
                raise TransitionNotAllowed(
                    _("The activity has started; a sign-up can no longer be cancelled."))
            self.state = self.State.CANCELLED
            self.position = None
            self.cancelled_at = timezone.now()
            self.save(update_fields=["state", "position", "cancelled_at"])
            log(activity, "notices.activity.cancel", user=by, data={"signup": self.pk})
            promoted = promote_waitlisted(activity, by=by)
        return promoted

    def check_in(self, by):
        """Staff of the activity's community mark that the people came, on the day."""
        with transaction.atomic():
            activity = _locked(self.activity)
            self.refresh_from_db()
            is_staff = by.is_superuser or hasattr(by, "staff")
            visible = ActivitySignup.objects.visible_to(by).filter(pk=self.pk)
            if not is_staff or not visible.exists():
                raise TransitionNotAllowed(_("Only staff of the community may check people in."))
            if self.state != self.State.CONFIRMED:
                raise TransitionNotAllowed(_("Only a confirmed sign-up can be checked in."))
            if self.checked_in_at is not None:
                raise TransitionNotAllowed(_("Already checked in."))
            today = timezone.localdate()
            if not (timezone.localdate(activity.starts_at) <= today
                    <= timezone.localdate(activity.ends_at)):
                raise TransitionNotAllowed(_("Check-in is on the day of the activity."))
            self.checked_in_at = timezone.now()
            self.checked_in_by = by
            self.save(update_fields=["checked_in_at", "checked_in_by"])
            log(activity, "notices.activity.check_in", user=by, data={"signup": self.pk})


def _locked(activity):
    """The activity, its row locked until the transaction ends: every sign-up change
    for one activity queues here, so the places are counted by one at a time."""
    return ActivityPage.objects.select_for_update(of=("self",)).get(pk=activity.pk)


def _check_can_sign_up(activity, resident):
    if not activity.live:
        raise TransitionNotAllowed(_("This activity is not open for sign-up."))
    if not targeting.targets_resident(activity, resident):
        raise TransitionNotAllowed(_("This activity is not for your building."))
    if not activity.signup_open:
        raise TransitionNotAllowed(_("Sign-up for this activity has closed."))
    if activity.signups.live().filter(resident=resident).exists():
        raise TransitionNotAllowed(_("You have already signed up for this activity."))


def _house_for(activity, resident, house):
    houses = House.objects.filter(occupancies__resident=resident,
                                  occupancies__state__in=Occupancy.ACTIVE_STATES)
    if house is None:
        # Of several houses, one the activity is for by its unit or building.
        targets = ActivityTarget.objects.filter(page_id=activity.pk)
        targeted = houses.filter(Q(unit__in=targets.values("unit"))
                                 | Q(building__in=targets.filter(unit=None).values("building")))
        return targeted.first() or houses.first()
    if not houses.filter(pk=house.pk).exists():
        raise ValidationError({"house": _("Choose one of your houses.")})
    return house


def _full_message(remaining):
    if remaining:
        return _("Only %(count)s places are left.") % {"count": remaining}
    return _("This activity is full.")


def _next_position(activity):
    last = activity.signups.aggregate(last=models.Max("position"))["last"]
    return (last or 0) + 1


def promote_waitlisted(activity, by):
    """Confirm waitlisted sign-ups in their order while each fits the places left (a
    larger party further up waits for more places). The caller holds the activity's
    lock. Returns the sign-ups moved up."""
    from portal.notifications import notify

    remaining = activity.remaining_places()
    promoted = []
    waiting = activity.signups.filter(state=ActivitySignup.State.WAITLISTED).order_by("position")
    for signup in waiting.select_related("resident__user"):
        if remaining is not None and signup.people > remaining:
            continue
        signup.state = ActivitySignup.State.CONFIRMED
        signup.position = None
        signup.save(update_fields=["state", "position"])
        log(activity, "notices.activity.promote", user=by, data={"signup": signup.pk})
        notify(signup.resident.user, "notices.activity.promoted",
               {"activity": activity.title}, url=activity.url or "")
        promoted.append(signup)
        if remaining is not None:
            remaining -= signup.people
    return promoted
