"""The custom menu as Wagtail blocks: up to 3 buttons, each a link, a click event, a mini
program, or a sub-menu of up to 5 of those (WeChat's limits)."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks


class ViewButtonBlock(blocks.StructBlock):
    name = blocks.CharBlock(label=_("name"))
    url = blocks.URLBlock(label=_("link"))

    class Meta:
        icon = "link"
        label = _("Open a link")


class ClickButtonBlock(blocks.StructBlock):
    name = blocks.CharBlock(label=_("name"))
    key = blocks.CharBlock(
        label=_("event key"),
        help_text=_("Sent to the portal as a CLICK event; auto-replies may match it."),
    )

    class Meta:
        icon = "pick"
        label = _("Send a click event")


class MiniProgramButtonBlock(blocks.StructBlock):
    name = blocks.CharBlock(label=_("name"))
    appid = blocks.CharBlock(label=_("mini program AppID"))
    pagepath = blocks.CharBlock(label=_("page path"))
    url = blocks.URLBlock(
        label=_("fallback link"),
        help_text=_("Opened by old WeChat versions that cannot open mini programs."),
    )

    class Meta:
        icon = "mobile-alt"
        label = _("Open a mini program")


class SubButtonsBlock(blocks.StreamBlock):
    view = ViewButtonBlock()
    click = ClickButtonBlock()
    miniprogram = MiniProgramButtonBlock()

    class Meta:
        max_num = 5
        min_num = 1


class SubMenuBlock(blocks.StructBlock):
    name = blocks.CharBlock(label=_("name"))
    sub_buttons = SubButtonsBlock(label=_("sub-menu"))

    class Meta:
        icon = "list-ul"
        label = _("Sub-menu")


class MenuButtonsBlock(blocks.StreamBlock):
    view = ViewButtonBlock()
    click = ClickButtonBlock()
    miniprogram = MiniProgramButtonBlock()
    submenu = SubMenuBlock()

    class Meta:
        max_num = 3
