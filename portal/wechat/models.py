"""The company's WeChat Official Accounts (服务号) and the people who follow them.

A company runs one account for all its communities or one per community. Followers are
known by openid per account; scanning a community's poster (a ``qrscene_`` QR code) or
binding a resident account puts a follower in a community. Keyword auto-replies and the
custom menu are edited in the admin.
"""

import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.fields import StreamField
from wagtail.log_actions import log

from portal.crypto import EncryptedCharField
from portal.estates.models import Community, Company
from portal.estates.scope import ScopedQuerySet

from . import menu as wechat_menu
from .menu_blocks import MenuButtonsBlock

logger = logging.getLogger(__name__)


class OfficialAccountQuerySet(ScopedQuerySet):
    """An account with no community serves every community of its company: only staff
    who see the whole company manage it."""

    def for_staff(self, staff):
        if staff.sees_whole_company:
            return self.filter(company_id=staff.company_id)
        return self.filter(community__in=staff.communities.all())

    def active(self):
        return self.filter(is_active=True)

    def for_community(self, community):
        """The account that serves a community: its own, else the company-wide one."""
        company_wide = Q(community__isnull=True, company_id=community.company_id)
        return (
            self.active()
            .filter(Q(community=community) | company_wide)
            .order_by(models.F("community").asc(nulls_last=True))
            .first()
        )


class OfficialAccount(models.Model):
    class MessageMode(models.TextChoices):
        PLAIN = "plain", _("Plain text")
        COMPATIBLE = "compatible", _("Compatible")
        SAFE = "safe", _("Safe (encrypted)")

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="wechat_accounts",
                                verbose_name=_("company"))
    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, null=True, blank=True, related_name="wechat_accounts",
        verbose_name=_("community"),
        help_text=_("Leave empty when one account serves all the company's communities."),
    )
    name = models.CharField(_("name"), max_length=100)
    original_id = models.CharField(_("original ID"), max_length=40, blank=True,
                                   help_text=_("The gh_… ID WeChat shows in the account settings."))
    appid = models.CharField(_("AppID"), max_length=40, unique=True)
    secret = EncryptedCharField(_("AppSecret"), blank=True, default="")
    token = EncryptedCharField(_("token"), blank=True, default="")
    encoding_aes_key = EncryptedCharField(_("EncodingAESKey"), blank=True, default="")
    message_mode = models.CharField(_("message mode"), max_length=12, choices=MessageMode.choices,
                                    default=MessageMode.SAFE)
    # Accounts configured by environment variables are kept in step with them and their
    # secrets are not editable in the admin.
    from_environment = models.BooleanField(default=False, editable=False)
    is_active = models.BooleanField(_("active"), default=True)

    objects = OfficialAccountQuerySet.as_manager()

    class Meta:
        verbose_name = _("official account")
        verbose_name_plural = _("official accounts")
        ordering = ["company", "name"]
        constraints = [
            models.UniqueConstraint(fields=["community"], condition=Q(community__isnull=False),
                                    name="one_account_per_community"),
        ]

    def __str__(self):
        return self.name

    def community_display(self):
        return str(self.community) if self.community_id else str(_("All communities"))

    def callback_url(self):
        """The server address to enter on the WeChat platform (服务器地址(URL))."""
        return (settings.WAGTAILADMIN_BASE_URL.rstrip("/")
                + reverse("wechat:callback", args=[self.appid]))


class FollowerQuerySet(ScopedQuerySet):
    def for_staff(self, staff):
        if staff.sees_whole_company:
            # Followers no poster or binding has put in a community yet are the company's too.
            return self.filter(account__company_id=staff.company_id)
        return super().for_staff(staff)

    def for_resident(self, resident):
        return self.filter(user_id=resident.user_id)

    def subscribed(self):
        return self.filter(is_subscribed=True)


class Follower(models.Model):
    """A WeChat user known to one of our accounts. Kept after unsubscribing: their
    portal data stays, only WeChat messages stop."""

    account = models.ForeignKey(OfficialAccount, on_delete=models.CASCADE, related_name="followers",
                                verbose_name=_("official account"))
    openid = models.CharField(_("OpenID"), max_length=64)
    unionid = models.CharField(_("UnionID"), max_length=64, blank=True)
    community = models.ForeignKey(Community, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="followers", verbose_name=_("community"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                             blank=True, related_name="wechat_followers",
                             verbose_name=_("portal account"))
    is_subscribed = models.BooleanField(_("following"), default=False)
    subscribed_at = models.DateTimeField(_("followed at"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("unfollowed at"), null=True, blank=True)
    scene = models.CharField(_("QR scene"), max_length=64, blank=True,
                             help_text=_("The poster the follower scanned last."))
    created_at = models.DateTimeField(_("first seen"), default=timezone.now)

    objects = FollowerQuerySet.as_manager()
    # Rows written all day that no page or snippet refers to: Wagtail's reference
    # index would only queue a background task on every save.
    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = _("follower")
        verbose_name_plural = _("followers")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["account", "openid"], name="follower_openid_unique"),
            models.UniqueConstraint(fields=["account", "user"], condition=Q(user__isnull=False),
                                    name="one_follower_per_user_and_account"),
        ]

    def __str__(self):
        return f"{self.openid[:6]}…"

    def follow(self, at, community=None, scene="", rescan=False, first_seen=False):
        """subscribe or SCAN: following again (a scan while following keeps the date),
        placed in the scanned community. Logged when the state changes."""
        with transaction.atomic():
            newly = not self.is_subscribed or first_seen
            if newly or not rescan:
                self.subscribed_at = at
            self.is_subscribed = True
            if community is not None:
                self.community = community
                self.scene = scene
            self.save()
            if newly:
                log(self, "wechat.follower.follow", data={"scene": scene})

    def unfollow(self, at):
        """The data stays; only WeChat messages stop."""
        with transaction.atomic():
            if not self.is_subscribed:
                return
            self.is_subscribed = False
            self.unsubscribed_at = at
            self.save(update_fields=["is_subscribed", "unsubscribed_at"])
            log(self, "wechat.follower.unfollow")


class ReceivedMessage(models.Model):
    """One row per message WeChat delivered, keyed so that WeChat's retries of the same
    message (MsgId; for events FromUserName + CreateTime + Event) are recognised."""

    account = models.ForeignKey(OfficialAccount, on_delete=models.CASCADE, related_name="+")
    dedupe_key = models.CharField(max_length=200)
    received_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "dedupe_key"], name="received_message_once"),
        ]

    def __str__(self):
        return self.dedupe_key


class AutoReplyQuerySet(ScopedQuerySet):
    """A reply with no community applies to every community of its company."""

    def for_staff(self, staff):
        if staff.sees_whole_company:
            return self.filter(company_id=staff.company_id)
        return self.filter(community__in=staff.communities.all())

    def for_resident(self, resident):
        return self.none()


class AutoReply(models.Model):
    class Match(models.TextChoices):
        EXACT = "exact", _("The message is the keyword")
        CONTAINS = "contains", _("The message contains the keyword")
        DEFAULT = "default", _("Default reply (no keyword matched)")
        SUBSCRIBE = "subscribe", _("Welcome message when someone follows")

    class Kind(models.TextChoices):
        TEXT = "text", _("Text")
        NEWS = "news", _("Article card linking to a page")

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="wechat_replies",
                                verbose_name=_("company"))
    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, null=True, blank=True, related_name="wechat_replies",
        verbose_name=_("community"),
        help_text=_("Leave empty to answer followers of every community."),
    )
    keyword = models.CharField(_("keyword"), max_length=60, blank=True)
    match = models.CharField(_("match"), max_length=10, choices=Match.choices, default=Match.EXACT)
    kind = models.CharField(_("reply type"), max_length=10, choices=Kind.choices, default=Kind.TEXT)
    text = models.TextField(
        _("text"), blank=True,
        help_text=_("May use {home}, {register} and the service links {repairs}, {complaints}, "
                    "{bills}, {notices}: each becomes the link for the follower's community."),
    )
    page = models.ForeignKey("wagtailcore.Page", on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+", verbose_name=_("page"))
    title = models.CharField(_("card title"), max_length=64, blank=True)
    description = models.CharField(_("card summary"), max_length=120, blank=True)
    image = models.ForeignKey("wagtailimages.Image", on_delete=models.SET_NULL, null=True,
                              blank=True, related_name="+", verbose_name=_("card image"))
    priority = models.PositiveSmallIntegerField(
        _("priority"), default=100,
        help_text=_("When several replies match, the lowest number wins."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = AutoReplyQuerySet.as_manager()

    class Meta:
        verbose_name = _("auto-reply")
        verbose_name_plural = _("auto-replies")
        ordering = ["priority", "keyword"]

    def __str__(self):
        return self.keyword or str(self.get_match_display())

    def clean(self):
        errors = {}
        if self.match in (self.Match.EXACT, self.Match.CONTAINS) and not self.keyword.strip():
            errors["keyword"] = _("Give the keyword to match.")
        if self.kind == self.Kind.TEXT and not self.text.strip():
            errors["text"] = _("Write the text of the reply.")
        if self.kind == self.Kind.NEWS and self.page_id is None:
            errors["page"] = _("Choose the page the article card links to.")
        if errors:
            raise ValidationError(errors)

    @staticmethod
    def page_is_within_reach(page, community):
        """Whether a reply of ``community`` (None: of every community) may link to
        ``page``: a page of that community's site, or for every community any page of
        the portal."""
        from home.models import HomePage, PortalRootPage

        roots = (HomePage.objects.filter(community=community) if community is not None
                 else PortalRootPage.objects.all())
        root = roots.first()
        return root is not None and (page.pk == root.pk or page.is_descendant_of(root))

    def community_display(self):
        return str(self.community) if self.community_id else str(_("All communities"))


class MenuQuerySet(ScopedQuerySet):
    community_field = "account__community"

    def for_staff(self, staff):
        return self.filter(account__in=OfficialAccount.objects.for_staff(staff))


class Menu(models.Model):
    """The custom menu of one account: edited here, pushed to WeChat in one action."""

    account = models.OneToOneField(OfficialAccount, on_delete=models.CASCADE, related_name="menu",
                                   verbose_name=_("official account"))
    buttons = StreamField(MenuButtonsBlock(), verbose_name=_("buttons"), blank=True)
    pushed_at = models.DateTimeField(_("last pushed"), null=True, blank=True, editable=False)
    push_result = models.CharField(_("result of the last push"), max_length=300, blank=True,
                                   editable=False)

    objects = MenuQuerySet.as_manager()

    class Meta:
        verbose_name = _("menu")
        verbose_name_plural = _("menus")
        permissions = [("push_menu", "Can push the menu to WeChat")]

    def __str__(self):
        return str(self.account)

    def as_wechat_json(self):
        """The body of WeChat's menu/create for this menu."""
        return wechat_menu.to_wechat(self.buttons)

    def push_problems(self):
        """What in this menu breaks WeChat's limits (portal.wechat.menu.Problem)."""
        return wechat_menu.problems(self.as_wechat_json())

    def push(self, by):
        """Make this the menu followers see. Refused, with nothing sent or changed, when
        the menu breaks WeChat's limits or the account has no AppSecret; otherwise
        WeChat's answer (or that it could not be reached) is recorded and returned."""
        problems = self.push_problems()
        if problems:
            raise ValidationError([str(problem) for problem in problems])
        self._check_account_can_call_wechat()
        result = wechat_menu.send(self.account, self.as_wechat_json())
        with transaction.atomic():
            self.pushed_at = timezone.now()
            self.push_result = result.summary[:300]
            self.save(update_fields=["pushed_at", "push_result"])
            log(self, "wechat.menu.push", user=by,
                data={"ok": result.ok, "errcode": result.errcode, "errmsg": result.errmsg})
        logger.info("Menu of official account %s pushed: %s", self.account_id, result.summary)
        return result

    def load_from_wechat(self, by):
        """Replace the buttons with the menu WeChat shows now (menu/get), for an account
        whose menu was made elsewhere. Returns the names of the buttons left out: types
        set on the WeChat platform that these blocks cannot edit. Raises ValidationError,
        with nothing changed, when WeChat has no menu or cannot be asked."""
        self._check_account_can_call_wechat()
        answer, current = wechat_menu.fetch(self.account)
        if not answer.ok:
            raise ValidationError(answer.problem())
        if current is None:
            raise ValidationError(_("WeChat has no menu for this account yet."))
        data, left_out = wechat_menu.from_wechat(current)
        with transaction.atomic():
            self.buttons = data
            self.save(update_fields=["buttons"])
            log(self, "wechat.menu.load", user=by, data={"left_out": left_out})
        return left_out

    def _check_account_can_call_wechat(self):
        if not self.account.secret:
            raise ValidationError(_("The account has no AppSecret: leadership sets it first."))
