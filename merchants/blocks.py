"""The StreamField blocks of a merchant's recommended items (店铺推荐)."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.images.blocks import ImageChooserBlock

TEMPLATES = "merchants/blocks/"
# The block picker shows previews in the owners' look.
PREVIEW = "notices/blocks/preview.html"


class RecommendedItemBlock(blocks.StructBlock):
    name = blocks.CharBlock(label=_("name"), max_length=50)
    image = ImageChooserBlock(label=_("picture"), required=False)
    price = blocks.CharBlock(label=_("price"), max_length=30, required=False,
                             help_text=_("As owners should read it, e.g. ¥18 / 份."))
    description = blocks.TextBlock(label=_("description"), max_length=300, required=False)

    class Meta:
        icon = "pick"
        label = _("Recommended item")
        preview_template = PREVIEW
        template = TEMPLATES + "recommended_item.html"
        preview_value = {"name": _("Beef noodles"), "price": "¥18",
                         "description": _("Our signature dish, made fresh every morning.")}
        description = _("A signature product with a picture and a price.")


class RecommendationBlock(blocks.StreamBlock):
    item = RecommendedItemBlock()
    text = blocks.TextBlock(
        label=_("Text"), icon="pilcrow", template=TEMPLATES + "text.html",
        preview_template=PREVIEW, preview_value=_("Free delivery within the estate."),
        description=_("A few words about what the shop recommends."),
    )
