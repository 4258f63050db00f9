"""The StreamField blocks every notice, activity and handbook body is made of.

One base StreamBlock (BodyBlock) that every ``body`` uses; each block names its icon, its
template (templates/notices/blocks/) and a preview value for the block picker.
"""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.contrib.table_block.blocks import TableBlock
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.images.blocks import ImageChooserBlock

TEMPLATES = "notices/blocks/"
# The block picker shows previews in the residents' look.
PREVIEW = TEMPLATES + "preview.html"


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("image"))
    caption = blocks.CharBlock(label=_("caption"), required=False, max_length=200)

    class Meta:
        icon = "image"
        label = _("Image")
        preview_template = PREVIEW
        template = TEMPLATES + "image.html"
        preview_value = {"caption": _("The notice board at the north gate")}
        description = _("A photo or picture, with an optional caption.")


class DocumentBlock(blocks.StructBlock):
    document = DocumentChooserBlock(label=_("document"))
    title = blocks.CharBlock(label=_("link text"), required=False, max_length=100,
                             help_text=_("Shown instead of the document's own title."))

    class Meta:
        icon = "doc-full"
        label = _("Document")
        preview_template = PREVIEW
        template = TEMPLATES + "document.html"
        preview_value = {"title": _("Water cut schedule (PDF)")}
        description = _("A file residents can download, such as a PDF.")


class CallToActionBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("button text"), max_length=40)
    page = blocks.PageChooserBlock(label=_("page"), required=False)
    url = blocks.URLBlock(label=_("or a link"), required=False)

    class Meta:
        icon = "link"
        label = _("Call to action")
        preview_template = PREVIEW
        template = TEMPLATES + "call_to_action.html"
        preview_value = {"text": _("Sign up now"), "url": "https://example.com/"}
        description = _("A button that takes residents to a page or a link.")

    def clean(self, value):
        value = super().clean(value)
        if not value.get("page") and not value.get("url"):
            raise blocks.StructBlockValidationError(
                block_errors={"page": blocks.BlockValidationError(
                    _("Choose a page or give a link for the button."))}
            )
        return value


class BodyBlock(blocks.StreamBlock):
    paragraph = blocks.RichTextBlock(
        label=_("Paragraph"), icon="pilcrow",
        template=TEMPLATES + "paragraph.html", preview_template=PREVIEW,
        features=["bold", "italic", "h3", "h4", "ol", "ul", "link", "hr"],
        preview_value=_("<p>Water will be off on Tuesday from 9:00 to 13:00.</p>"),
        description=_("Text with headings, lists and links."),
    )
    image = ImageBlock()
    document = DocumentBlock()
    table = TableBlock(
        label=_("Table"), icon="table", template=TEMPLATES + "table.html", preview_template=PREVIEW,
        preview_value={"first_row_is_table_header": True,
                       "data": [[_("Building"), _("Time")], ["3", "9:00–13:00"]]},
        description=_("Rows and columns, such as a schedule."),
    )
    call_to_action = CallToActionBlock()

    class Meta:
        block_counts = {}


class HandbookSectionBlock(blocks.StructBlock):
    """A section of the handbook: a heading in the table of contents, and its body."""

    heading = blocks.CharBlock(label=_("heading"), max_length=100)
    body = BodyBlock(label=_("body"))

    class Meta:
        icon = "list-ul"
        label = _("Section")
        preview_template = PREVIEW
        template = TEMPLATES + "handbook_section.html"
        preview_value = {"heading": _("Keeping pets")}
        description = _("A section with a heading that appears in the table of contents.")


class ContactNumberBlock(blocks.StructBlock):
    name = blocks.CharBlock(label=_("name"), max_length=50, help_text=_("e.g. Front desk"))
    phone = blocks.RegexBlock(
        label=_("phone"), regex=r"^[0-9+\-() ]{3,30}$",
        error_messages={"invalid": _("Enter a phone number: digits, spaces, + - ( ).")},
    )
    note = blocks.CharBlock(label=_("note"), required=False, max_length=100,
                            help_text=_("e.g. Around the clock"))

    class Meta:
        icon = "mobile-alt"
        label = _("Phone number")
        preview_template = PREVIEW
        template = TEMPLATES + "contact_number.html"
        preview_value = {"name": _("Front desk"), "phone": "0571-88880000",
                         "note": _("Around the clock")}
        description = _("A service number residents can call with one tap.")
