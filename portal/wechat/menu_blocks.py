"""The custom menu as Wagtail blocks: up to 3 buttons, each a link, a click event, a mini
program, or a sub-menu of up to 5 of those (WeChat's limits, checked by
portal.wechat.menu when the menu is saved and again before it is pushed)."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks

from . import menu

NAME_HELP = _("WeChat shows about 4 Chinese characters on a top-level button (16 bytes at "
              "most) and 8 on a sub-menu button (60 bytes at most).")


def name_block():
    return blocks.CharBlock(label=_("name"), help_text=NAME_HELP)


class ViewButtonBlock(blocks.StructBlock):
    name = name_block()
    url = blocks.URLBlock(label=_("link"), help_text=_("http:// or https://, 1024 bytes at most."))

    class Meta:
        icon = "link"
        label = _("Open a link")


class ClickButtonBlock(blocks.StructBlock):
    name = name_block()
    key = blocks.CharBlock(
        label=_("event key"),
        help_text=_("Sent to the portal as a CLICK event; auto-replies may match it. "
                    "128 bytes at most."),
    )

    class Meta:
        icon = "pick"
        label = _("Send a click event")


class MiniProgramButtonBlock(blocks.StructBlock):
    name = name_block()
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
        max_num = menu.SUB_LEVEL.max_buttons
        min_num = 1


class SubMenuBlock(blocks.StructBlock):
    name = name_block()
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
        max_num = menu.TOP_LEVEL.max_buttons

    def clean(self, value):
        value = super().clean(value)
        menu.check_blocks(value)
        return value
