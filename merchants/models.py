"""Merchant listings: the shops around a community (its 1-km 微商圈) and who runs them.

HomePage (one per community)
└── MerchantIndexPage (the merchants serving that community, by tag and search)
    └── MerchantPage (one shop; may serve several communities)

A merchant's status (pending → approved ⇄ suspended) changes only through its verbs
(approve, suspend, reinstate), each writing a MerchantEvent in the same transaction.
Owners see approved, live merchants serving their community; a merchant's own login
accounts (MerchantAccount) edit only their page, through Wagtail's moderation.
"""

from django import forms
from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.db.models.functions import Cast
from django.http import Http404
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page, PageManager, Workflow, WorkflowPage
from wagtail.models.workflows import AbstractGroupApprovalTask
from wagtail.query import PageQuerySet
from wagtail.search import index

from notices.search import spaced
from portal.estates.approval import ActsOnlyWhereAllowed
from portal.estates.errors import TransitionNotAllowed
from portal.estates.models import Community
from portal.estates.scope import ScopedQuerySet

from .blocks import RecommendationBlock
from .forms import MerchantPageForm


class MerchantTag(models.Model):
    """A merchant category (餐饮, 超市, 家政 ...): staff keep the list, merchants pick."""

    name = models.CharField(_("name"), max_length=20, unique=True)
    sort_order = models.IntegerField(_("sort order"), default=0)

    class Meta:
        verbose_name = _("merchant tag")
        verbose_name_plural = _("merchant tags")
        ordering = ["sort_order", "name"]

    def __str__(self):
        return self.name


class MerchantIndexPage(Page):
    """The merchants serving this community: the 商家 tile of its home page."""

    intro = models.CharField(_("introduction"), max_length=200, blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]

    parent_page_types = ["home.HomePage"]
    subpage_types = ["merchants.MerchantPage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("merchant index page")

    @cached_property
    def community(self):
        """The community whose home page this index lives under."""
        from home.models import HomePage

        home = HomePage.objects.ancestor_of(self).select_related("community").first()
        return home.community if home else None

    @property
    def community_id(self):
        community = self.community
        return community.pk if community else None

    def save(self, *args, **kwargs):
        is_new = self._state.adding
        super().save(*args, **kwargs)
        if is_new:
            # Its merchants' edits are approved by the merchant review (staff may
            # change this in Settings → Workflows like any other assignment).
            workflow = MerchantApprovalTask.merchant_review()
            if workflow is not None:
                WorkflowPage.objects.get_or_create(page=self, defaults={"workflow": workflow})

    def permissions_for_user(self, user):
        """Editors and managers act only on the index of a community they serve."""
        from notices import page_scope

        tester = super().permissions_for_user(user)
        if user.is_active and not page_scope.in_scope(self, user):
            tester.permissions = set()
        return tester

    def get_context(self, request, *args, **kwargs):
        from .listing import merchant_list_context

        context = super().get_context(request, *args, **kwargs)
        context.update(merchant_list_context(self, request))
        return context


class Status(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    SUSPENDED = "suspended", _("Suspended")


class MerchantPageQuerySet(ScopedQuerySet, PageQuerySet):
    """Staff reach the merchants serving the communities they serve (leadership all of
    their company's); a merchant's accounts their own; residents the approved, live
    merchants serving their community."""

    community_field = "communities"

    def visible_to(self, user):
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if not user.is_superuser and hasattr(user, "merchant_account"):
            return self.managed_by(user)
        return super().visible_to(user)

    def for_staff(self, staff):
        return self.filter(pk__in=super().for_staff(staff).values("pk"))

    def for_resident(self, resident):
        return self.open().filter(communities=resident.community_id)

    def open(self):
        """Approved and live: what owners may see and order from."""
        return self.live().filter(status=Status.APPROVED)

    def serving(self, community):
        return self.filter(pk__in=MerchantPage.objects.filter(communities=community)
                           .values("pk"))

    def managed_by(self, user):
        """The merchants whose own accounts include ``user`` (none for anyone else)."""
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        return self.filter(accounts__user=user)


class MerchantPage(Page):
    """One merchant's listing. The title is the merchant's name (names may repeat)."""

    Status = Status

    contact_name = models.CharField(_("contact person"), max_length=30)
    mobile = models.CharField(_("mobile number"), max_length=20, blank=True)
    phone = models.CharField(_("telephone"), max_length=30, blank=True)
    qq = models.CharField(_("QQ number"), max_length=15, blank=True)
    address = models.CharField(_("address"), max_length=200)
    tags = ParentalManyToManyField(MerchantTag, related_name="merchants",
                                   verbose_name=_("tags"))
    intro = models.TextField(_("introduction"), blank=True)
    recommendations = StreamField(RecommendationBlock(), blank=True,
                                  verbose_name=_("recommended items"),
                                  help_text=_("Signature products and specialities."))
    special_services = models.TextField(_("special services"), blank=True)
    opening_hours = models.CharField(_("opening hours"), max_length=100, blank=True)
    communities = ParentalManyToManyField(
        Community, related_name="merchants", verbose_name=_("communities served"),
        help_text=_("The communities whose owners see this merchant (its 1-km circle)."))
    # Changed only by approve / suspend / reinstate; never taken from a revision.
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.PENDING, editable=False)
    # The group whose page permission is this one page (see merchants.accounts).
    editors = models.OneToOneField("auth.Group", on_delete=models.SET_NULL, null=True,
                                   blank=True, editable=False, related_name="+")

    objects = PageManager.from_queryset(MerchantPageQuerySet)()

    content_panels = [
        FieldPanel("title", heading=_("Merchant name")),
        InlinePanel("images", label=_("Display image"), heading=_("Display images")),
        MultiFieldPanel([
            FieldPanel("contact_name"),
            FieldRowPanel([FieldPanel("mobile"), FieldPanel("phone"), FieldPanel("qq")]),
            FieldPanel("address"),
            FieldPanel("opening_hours"),
        ], heading=_("Contact")),
        FieldPanel("tags", widget=forms.CheckboxSelectMultiple),
        FieldPanel("intro"),
        FieldPanel("recommendations"),
        FieldPanel("special_services"),
        FieldPanel("communities", widget=forms.CheckboxSelectMultiple),
    ]

    search_fields = [
        *Page.search_fields,
        index.SearchField("search_text"),
        index.FilterField("status"),
        index.FilterField("live"),
    ]

    base_form_class = MerchantPageForm
    parent_page_types = ["merchants.MerchantIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("merchant")
        verbose_name_plural = _("merchants")
        permissions = [("manage_merchant", "Can approve, suspend and reinstate merchants "
                                           "and create their accounts")]

    def serve(self, request, *args, **kwargs):
        # Owners never see a merchant awaiting approval or suspended.
        if self.status != Status.APPROVED:
            raise Http404
        return super().serve(request, *args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["merchant"] = self
        return context

    def permissions_for_user(self, user):
        from .permissions import MerchantPagePermissionTester

        return MerchantPagePermissionTester(user, self)

    def with_content_json(self, content):
        """A revision brings the merchant's content, never its status or editors group:
        publishing an old draft must not lift a suspension."""
        page = super().with_content_json(content)
        page.status = self.status
        page.editors_id = self.editors_id
        return page

    @property
    def communities_display(self):
        return ", ".join(community.name for community in self.communities.all())

    @property
    def tags_display(self):
        return ", ".join(tag.name for tag in self.tags.all())

    @property
    def status_history(self):
        """For staff's inspect view: when the status changed, to what, and why."""
        return "; ".join(
            f"{timezone.localtime(event.created_at):%Y-%m-%d %H:%M} "
            f"{Status(event.to_status).label}{f' ({event.reason})' if event.reason else ''}"
            for event in self.events.all())

    @property
    def accounts_display(self):
        return ", ".join(f"{account.name} ({account.user.username})"
                         for account in self.accounts.select_related("user"))

    def search_text(self):
        texts = [self.title, self.address, self.intro, self.special_services,
                 " ".join(tag.name for tag in self.tags.all())]
        return spaced(" ".join(filter(None, texts)))

    # --- orders (merchants.shop asks these) ------------------------------------------

    @property
    def accepts_orders(self):
        return self.refusal_reason() is None

    def refusal_reason(self):
        """Why owners cannot order from this merchant now, or None."""
        if self.status == Status.SUSPENDED:
            return gettext("This merchant is suspended and takes no orders.")
        if self.status != Status.APPROVED:
            return gettext("This merchant is not approved yet and takes no orders.")
        if not self.live:
            return gettext("This merchant is not published and takes no orders.")
        return None

    # --- status verbs -------------------------------------------------------------

    def _change_status(self, action, *, allowed_from, to, by, reason=""):
        with transaction.atomic():
            current = MerchantPage.objects.select_for_update().get(pk=self.pk)
            if current.status not in allowed_from:
                raise TransitionNotAllowed(
                    gettext("This merchant is %(status)s; this cannot be done now.")
                    % {"status": current.get_status_display()})
            MerchantPage.objects.filter(pk=self.pk).update(status=to)
            MerchantEvent.objects.create(merchant=self, action=action,
                                         from_status=current.status, to_status=to,
                                         actor=by, reason=reason)
            self.status = to

    def approve(self, by):
        """A new merchant may appear to owners (once its page is published)."""
        self._change_status("approved", allowed_from=[Status.PENDING], to=Status.APPROVED,
                            by=by)

    def suspend(self, by, reason):
        reason = (reason or "").strip()
        if not reason:
            raise TransitionNotAllowed(gettext("Give a reason for suspending the merchant."))
        self._change_status("suspended", allowed_from=[Status.PENDING, Status.APPROVED],
                            to=Status.SUSPENDED, by=by, reason=reason[:200])

    def reinstate(self, by):
        self._change_status("reinstated", allowed_from=[Status.SUSPENDED],
                            to=Status.APPROVED, by=by)


class MerchantImage(Orderable):
    page = ParentalKey(MerchantPage, on_delete=models.CASCADE, related_name="images")
    image = models.ForeignKey("wagtailimages.Image", on_delete=models.CASCADE,
                              related_name="+", verbose_name=_("image"))
    caption = models.CharField(_("caption"), max_length=100, blank=True)

    panels = [FieldPanel("image"), FieldPanel("caption")]

    class Meta(Orderable.Meta):
        verbose_name = _("display image")
        verbose_name_plural = _("display images")


class MerchantEventQuerySet(ScopedQuerySet):
    community_field = "merchant__communities"

    def for_staff(self, staff):
        return self.filter(merchant__in=MerchantPage.objects.for_staff(staff))


class MerchantEvent(models.Model):
    """One status change of a merchant: the audit trail."""

    merchant = models.ForeignKey(MerchantPage, on_delete=models.CASCADE, related_name="events",
                                 verbose_name=_("merchant"))
    action = models.CharField(_("action"), max_length=20)
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                              blank=True, related_name="+", verbose_name=_("by"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    objects = MerchantEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("merchant event")
        verbose_name_plural = _("merchant events")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.merchant_id} {self.action}"


class MerchantAccountQuerySet(ScopedQuerySet):
    def for_staff(self, staff):
        return self.filter(merchant__in=MerchantPage.objects.for_staff(staff))


class MerchantAccount(models.Model):
    """A login of a merchant's people: it edits that merchant's page and products.
    Created by staff (merchants.accounts); the phone is on the user, encrypted."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="merchant_account",
                                verbose_name=_("user account"))
    merchant = models.ForeignKey(MerchantPage, on_delete=models.CASCADE,
                                 related_name="accounts", verbose_name=_("merchant"))
    name = models.CharField(_("name"), max_length=30)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = MerchantAccountQuerySet.as_manager()

    class Meta:
        verbose_name = _("merchant account")
        verbose_name_plural = _("merchant accounts")
        ordering = ["merchant", "name"]

    def __str__(self):
        return self.name


class MerchantApprovalTask(ActsOnlyWhereAllowed, AbstractGroupApprovalTask):
    """The merchant review (商家审核): members of the chosen groups approve the changes
    of the merchants they may manage (those serving a community they serve)."""

    @staticmethod
    def merchant_review():
        """The active workflow with a merchant approval step, if any."""
        return (Workflow.objects.filter(
            active=True, workflow_tasks__task__in=MerchantApprovalTask.objects.filter(active=True))
            .order_by("pk").first())

    def _reaches(self, obj, user):
        from .permissions import reaches

        return reaches(obj, user)

    def user_can_access_editor(self, obj, user):
        return super().user_can_access_editor(obj, user) and self._reaches(obj, user)

    def locked_for_user(self, obj, user):
        return super().locked_for_user(obj, user) or not self._reaches(obj, user)

    def user_can_lock(self, obj, user):
        return super().user_can_lock(obj, user) and self._reaches(obj, user)

    def get_actions(self, obj, user):
        if not self._reaches(obj, user):
            return []
        return super().get_actions(obj, user)

    def get_task_states_user_can_moderate(self, user, **kwargs):
        from django.contrib.contenttypes.models import ContentType

        from .shop.models import Product

        states = super().get_task_states_user_can_moderate(user, **kwargs)
        if user.is_superuser:
            return states
        reached = Q()
        for model, base in ((MerchantPage, Page), (Product, Product)):
            ids = model._default_manager.visible_to(user).annotate(
                object_id=Cast("pk", output_field=models.CharField())).values("object_id")
            reached |= Q(workflow_state__base_content_type=ContentType.objects.get_for_model(
                base), workflow_state__object_id__in=ids)
        return states.filter(reached)

    @classmethod
    def get_description(cls):
        return _("Members of the chosen groups who serve one of the merchant's communities "
                 "approve its changes.")

    class Meta:
        verbose_name = _("merchant approval task")
        verbose_name_plural = _("merchant approval tasks")
