"""Notices, the handbook, the contact numbers, and the bases targeted pages share.

HomePage (one per community)
├── NoticeIndexPage ─ NoticePage (targeted at the company, communities, buildings or units)
├── HandbookPage (sections with a table of contents)
└── ContactPage (service numbers and office hours)

Who may read what is decided in notices.targeting; every page's serve(), list and search
asks it.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.log_actions import log
from wagtail.models import Orderable, Page, PageManager
from wagtail.models.workflows import AbstractGroupApprovalTask
from wagtail.query import PageQuerySet
from wagtail.search import index

from portal import page_cache
from portal.estates.approval import ActsOnlyWhereAllowed
from portal.estates.models import Building, Community, Company, Resident, Unit
from portal.estates.scope import ScopedQuerySet

from .. import page_scope, targeting
from ..blocks import BodyBlock, ContactNumberBlock, HandbookSectionBlock
from ..forms import NoticePageForm
from ..search import spaced


def audience_panel():
    """Public or not, and the target rows: the same on every targeted page."""
    return MultiFieldPanel([
        FieldPanel("public"),
        InlinePanel("targets", label=_("Target"), heading=_("Who is it for?")),
    ], heading=_("Audience"))


class CommunityPageQuerySet(ScopedQuerySet, PageQuerySet):
    """Staff reach the pages of the communities they serve (the community whose home
    page the page lives under)."""


class CommunityPage(Page):
    """A page that belongs to the community whose home page it lives under."""

    community = models.ForeignKey(Community, on_delete=models.PROTECT, null=True,
                                  editable=False, related_name="+")
    public = models.BooleanField(
        _("public"), default=False,
        help_text=_("Anyone with the link may read it, also without logging in."),
    )

    objects = PageManager.from_queryset(CommunityPageQuerySet)()

    parent_page_types = ["home.HomePage"]

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.community_id is None and self.path:
            from home.models import HomePage

            home = HomePage.objects.ancestor_of(self).first()
            if home is not None:
                self.community_id = home.community_id
        super().save(*args, **kwargs)

    def with_content_json(self, content):
        """A revision brings its content, not its place: like the tree position, the
        community stays the live page's (a page moved since keeps its new community)."""
        page = super().with_content_json(content)
        page.community_id = self.community_id
        return page

    def is_visible_to(self, user):
        return targeting.is_visible_to(self, user)

    def searchable_texts(self):
        return [self.title]

    def search_text(self):
        """The page's text with Chinese split into characters (see notices.search)."""
        return spaced(" ".join(self.searchable_texts()))

    def serve(self, request, *args, **kwargs):
        if not self.is_visible_to(request.user):
            return targeting.refuse(request, self)
        return super().serve(request, *args, **kwargs)

    def permissions_for_user(self, user):
        """Editors and managers act only on the pages of the communities they serve."""
        tester = super().permissions_for_user(user)
        if user.is_active and not page_scope.in_scope(self, user):
            tester.permissions = set()
        return tester


class NoticeIndexPage(CommunityPage):
    intro = models.CharField(_("introduction"), max_length=200, blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    promote_panels = [*Page.promote_panels, FieldPanel("public")]

    subpage_types = ["notices.NoticePage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("notice index page")

    def serve(self, request, *args, **kwargs):
        # The list itself is open; what it lists depends on who asks.
        response = Page.serve(self, request, *args, **kwargs)
        if targeting.resident_of(request.user) is not None:
            # Residents reopen their list often. Any change (a notice read or published,
            # a target or a binding changed) renders it afresh: see portal.page_cache.
            page_cache.cache_for_this_session(response)
        return response

    def get_context(self, request, *args, **kwargs):
        from ..listing import notice_list_context

        context = super().get_context(request, *args, **kwargs)
        context.update(notice_list_context(self, request))
        return context


class NoticePage(CommunityPage):
    class Category(models.TextChoices):
        GENERAL = "general", _("General notice")
        EMERGENCY = "emergency", _("Emergency notice")
        FESTIVAL = "festival", _("Festival greeting")
        REMINDER = "reminder", _("Reminder")
        FEE = "fee", _("Fee reminder")

    category = models.CharField(_("category"), max_length=20, choices=Category.choices,
                                default=Category.GENERAL, db_index=True)
    summary = models.CharField(
        _("summary"), max_length=200,
        help_text=_("One or two sentences for the notice list and for sharing in WeChat."),
    )
    body = StreamField(BodyBlock(), verbose_name=_("body"), blank=True)
    valid_until = models.DateField(
        _("valid until"), null=True, blank=True,
        help_text=_("After this day an emergency notice no longer shows as a banner."),
    )
    pinned = models.BooleanField(_("pinned"), default=False,
                                 help_text=_("Pinned notices are listed first."))

    content_panels = [
        *Page.content_panels,
        FieldRowPanel([FieldPanel("category"), FieldPanel("valid_until"), FieldPanel("pinned")]),
        FieldPanel("summary"),
        FieldPanel("body"),
        audience_panel(),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("body"),
        index.SearchField("search_text"),
        index.FilterField("category"),
        index.FilterField("community"),
        index.FilterField("public"),
    ]
    base_form_class = NoticePageForm
    not_for_you = _("This notice is not for your building.")

    parent_page_types = ["notices.NoticeIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")

    def serve(self, request, *args, **kwargs):
        response = super().serve(request, *args, **kwargs)
        resident = targeting.resident_of(request.user)
        if (response.status_code == 200 and resident is not None
                and targeting.targets_resident(self, resident)):
            NoticeRead.record(resident, self)
        return response

    def searchable_texts(self):
        return [self.title, self.summary,
                *self.body.stream_block.get_searchable_content(self.body)]

    def push_message(self):
        """The event and context its pushes tell residents with (see notices.tasks)."""
        from ..tasks import EMERGENCY, PUBLISHED

        return (EMERGENCY if self.is_emergency else PUBLISHED,
                {"notice": self.title, "summary": self.summary})

    @property
    def is_emergency(self):
        return self.category == self.Category.EMERGENCY

    @property
    def is_expired(self):
        return self.valid_until is not None and self.valid_until < timezone.localdate()

    @cached_property
    def share_image(self):
        """The first picture of the body, for the WeChat share card."""
        for block in self.body:
            if block.block_type == "image" and block.value.get("image"):
                return block.value["image"]
        return None


class PageTargetQuerySet(ScopedQuerySet):
    def for_staff(self, staff):
        if staff.sees_whole_company:
            return self.filter(company_id=staff.company_id)
        return self.filter(community__in=staff.communities.all())


class PageTarget(Orderable):
    """Who a targeted page (a notice, an activity) is for: the whole company, a
    community, a building or a unit. The rows of a page add up; notices.targeting reads
    them the same way for every kind of page."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+",
                                editable=False)
    whole_company = models.BooleanField(_("whole company"), default=False)
    community = models.ForeignKey(Community, on_delete=models.CASCADE, null=True, blank=True,
                                  related_name="+", verbose_name=_("community"))
    building = models.ForeignKey(Building, on_delete=models.CASCADE, null=True, blank=True,
                                 related_name="+", verbose_name=_("building"))
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, null=True, blank=True,
                             related_name="+", verbose_name=_("unit"))

    objects = PageTargetQuerySet.as_manager()

    panels = [FieldRowPanel([FieldPanel("whole_company"), FieldPanel("community"),
                             FieldPanel("building"), FieldPanel("unit")])]

    class Meta(Orderable.Meta):
        abstract = True
        verbose_name = _("target")
        verbose_name_plural = _("targets")

    def __str__(self):
        if self.whole_company:
            return str(_("Whole company"))
        return str(self.unit or self.building or self.community)

    def save(self, *args, **kwargs):
        self.clean()
        super().save(*args, **kwargs)

    def clean(self):
        """Fill the broader levels from the narrowest one chosen, and refuse a mix that
        does not fit together."""
        if self.unit_id:
            if self.building_id and self.building_id != self.unit.building_id:
                raise ValidationError({"unit": _("This unit is not in the building chosen.")})
            self.building_id = self.unit.building_id
        if self.building_id:
            if self.community_id and self.community_id != self.building.community_id:
                raise ValidationError(
                    {"building": _("This building is not in the community chosen.")})
            self.community_id = self.building.community_id
        if self.whole_company and self.community_id:
            raise ValidationError(
                _("Choose either the whole company or a community, building or unit."))
        if not self.whole_company and not self.community_id:
            raise ValidationError(
                _("Choose the whole company, or a community, building or unit."))
        if self.community_id:
            self.company_id = self.community.company_id


class NoticeTarget(PageTarget):
    page = ParentalKey(NoticePage, on_delete=models.CASCADE, related_name="targets")

    class Meta(PageTarget.Meta):
        indexes = [
            models.Index(fields=["unit", "page"]),
            models.Index(fields=["building", "unit", "page"]),
            models.Index(fields=["community", "building", "page"]),
            models.Index(fields=["company", "whole_company", "page"]),
        ]


class NoticeReadQuerySet(ScopedQuerySet):
    def for_resident(self, resident):
        return self.filter(resident=resident)


class NoticeRead(models.Model):
    """A resident opened a notice (once per resident): what reach is counted from."""

    page = models.ForeignKey(NoticePage, on_delete=models.CASCADE, related_name="reads")
    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="notice_reads")
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+",
                                  editable=False)
    read_at = models.DateTimeField(_("read at"), default=timezone.now)

    objects = NoticeReadQuerySet.as_manager()

    class Meta:
        verbose_name = _("notice read")
        verbose_name_plural = _("notice reads")
        constraints = [
            models.UniqueConstraint(fields=["page", "resident"], name="one_read_per_resident"),
        ]

    def __str__(self):
        return f"{self.resident} · {self.page}"

    @classmethod
    def record(cls, resident, page):
        """The first opening counts; later ones change nothing."""
        with transaction.atomic():
            read, _created = cls.objects.get_or_create(
                page=page, resident=resident, defaults={"community_id": resident.community_id})
        return read


class HandbookPage(CommunityPage):
    """住户手册, 管理规约, FAQ: sections under headings, with a table of contents."""

    intro = models.CharField(_("introduction"), max_length=200, blank=True)
    sections = StreamField([("section", HandbookSectionBlock())], verbose_name=_("sections"),
                           blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("sections")]
    promote_panels = [*Page.promote_panels, FieldPanel("public")]
    search_fields = [
        *Page.search_fields,
        index.SearchField("intro"),
        index.SearchField("sections"),
        index.SearchField("search_text"),
        index.FilterField("community"),
        index.FilterField("public"),
    ]

    parent_page_types = ["home.HomePage", "notices.HandbookPage"]
    subpage_types = ["notices.HandbookPage"]

    class Meta:
        verbose_name = _("handbook page")

    def searchable_texts(self):
        return [self.title, self.intro,
                *self.sections.stream_block.get_searchable_content(self.sections)]

    @property
    def table_of_contents(self):
        return [(f"section-{number}", block.value["heading"])
                for number, block in enumerate(self.sections, start=1)]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["chapters"] = (HandbookPage.objects.child_of(self).live()
                               .filter(targeting.community_pages_filter(request.user)))
        return context


class ContactPage(CommunityPage):
    """The community's service numbers (tel: links) and office hours."""

    intro = models.CharField(_("introduction"), max_length=200, blank=True)
    office_hours = models.TextField(
        _("office hours"), blank=True,
        help_text=_("Leave empty to show the office hours of the community."),
    )
    numbers = StreamField([("number", ContactNumberBlock())], verbose_name=_("numbers"),
                          blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("office_hours"),
                      FieldPanel("numbers")]
    promote_panels = [*Page.promote_panels, FieldPanel("public")]

    subpage_types = []
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("contact page")


class PagePushQuerySet(ScopedQuerySet):
    pass


class PagePush(models.Model):
    """One sending of a targeted page to the residents it targets. Round 1 is sent when
    the page is first published (a unique constraint on page and round makes that once
    per page). Subclasses give ``page``, ``log_action`` and ``send_task`` (the name of
    their task in notices.tasks)."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+",
                                  editable=False)
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                     null=True, blank=True, related_name="+",
                                     verbose_name=_("requested by"))
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    recipients = models.PositiveIntegerField(_("recipients"), default=0)

    objects = PagePushQuerySet.as_manager()

    log_action = ""
    send_task = ""

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self.page} #{self.round}"

    @classmethod
    def first_push(cls, page, by=None):
        """On publishing: the first round, unless there was one. Returns the new push
        or None."""
        with transaction.atomic():
            push, created = cls.objects.get_or_create(
                page=page, round=1,
                defaults={"community_id": page.community_id, "requested_by": by})
            if created:
                log(page, cls.log_action, user=by, data={"round": 1})
                push.queue()
        return push if created else None

    def queue(self):
        from .. import tasks

        send, pk = getattr(tasks, self.send_task), self.pk
        transaction.on_commit(lambda: send.enqueue(pk), robust=True)


class NoticePush(PagePush):
    """A notice's pushes; later rounds only when an editor asks to push again."""

    page = models.ForeignKey(NoticePage, on_delete=models.CASCADE, related_name="pushes")

    log_action = "notices.notice.push"
    send_task = "send_notice_push"

    class Meta:
        verbose_name = _("notice push")
        verbose_name_plural = _("notice pushes")
        ordering = ["page", "round"]
        constraints = [
            models.UniqueConstraint(fields=["page", "round"], name="one_push_per_round"),
        ]

    @classmethod
    def push_again(cls, page, by):
        if not page.live:
            raise ValidationError(_("Only a published notice can be pushed."))
        with transaction.atomic():
            # Locks the notice's rounds, so two clicks make two rounds, never a clash.
            last = (cls.objects.select_for_update().filter(page=page)
                    .order_by("-round").first())
            push = cls.objects.create(page=page, round=(last.round + 1) if last else 1,
                                      community_id=page.community_id, requested_by=by)
            log(page, cls.log_action, user=by, data={"round": push.round})
            push.queue()
        return push


class CommunityApprovalTask(ActsOnlyWhereAllowed, AbstractGroupApprovalTask):
    """A Wagtail workflow step approved by members of the chosen groups (community
    managers) who serve the community the page belongs to."""

    def user_can_access_editor(self, obj, user):
        return super().user_can_access_editor(obj, user) and page_scope.in_scope(obj, user)

    def locked_for_user(self, obj, user):
        return super().locked_for_user(obj, user) or not page_scope.in_scope(obj, user)

    def user_can_lock(self, obj, user):
        return super().user_can_lock(obj, user) and page_scope.in_scope(obj, user)

    def get_actions(self, obj, user):
        if not page_scope.in_scope(obj, user):
            return []
        return super().get_actions(obj, user)

    def get_task_states_user_can_moderate(self, user, **kwargs):
        states = super().get_task_states_user_can_moderate(user, **kwargs)
        if user.is_superuser:
            return states
        pages = page_scope.pages_in_scope(Page.objects.all(), user)
        return states.filter(workflow_state__object_id__in=pages.values(
            page_id=Cast("pk", output_field=models.CharField())).values("page_id"))

    @classmethod
    def get_description(cls):
        return _("Members of the chosen groups who serve the page's community approve it.")

    class Meta:
        verbose_name = _("community approval task")
        verbose_name_plural = _("community approval tasks")
