"""The owner's forms: report a repair, file a complaint or suggestion, and the actions on
a ticket (message, cancel, reopen, rate).

The rules themselves (a house of mine, a time not past, a category offered) are the
model's: Ticket.submit raises ValidationError and owner_submission puts its messages next
to these fields. The forms add what only a form knows: the choices to offer, the files.
"""

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.estates.models import House, Occupancy
from services.media.fields import PhotosField, VideoField

from .categories import TicketCategory, TicketKind, Urgency

PUBLIC_AREA = "public"
# <input type="datetime-local"> sends this; the browser shows it in the phone's format.
DATETIME_LOCAL = "%Y-%m-%dT%H:%M"
STARS = [(n, "★" * n) for n in range(1, 6)]


def new_idempotency_key():
    return uuid.uuid4().hex


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format=DATETIME_LOCAL)


class TicketForm(forms.Form):
    """What repairs and complaints share: the category, the description, the photos and
    the form's one-time key."""

    category = forms.TypedChoiceField(
        label=_("Category"), widget=forms.RadioSelect, coerce=int,
        error_messages={"required": _("Choose a category."),
                        "invalid_choice": _("Choose one of the categories offered.")})
    description = forms.CharField(
        label=pgettext_lazy("ticket", "Description"), max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Describe the problem.")})
    photos = PhotosField(label=_("Photos"))
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    kinds = ()
    # Model field names whose errors show next to another form field.
    error_fields = {"house": "location"}

    def __init__(self, *args, user, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("idempotency_key", new_idempotency_key())
        super().__init__(*args, **kwargs)
        self.user = user
        self.resident = user.resident
        categories = (TicketCategory.objects.active()
                      .filter(company_id=self.resident.community.company_id,
                              kind__in=self.kinds))
        self.categories = {category.pk: category for category in categories}
        self.fields["category"].choices = self.category_choices()

    def category_choices(self):
        return [(pk, category.name) for pk, category in self.categories.items()]

    def clean_category(self):
        return self.categories[self.cleaned_data["category"]]

    def clean_description(self):
        description = self.cleaned_data["description"].strip()
        if not description:
            raise forms.ValidationError(_("Describe the problem."))
        return description

    def ticket_fields(self):
        """Ticket.submit's keyword arguments."""
        data = self.cleaned_data
        return {"category": data["category"], "description": data["description"],
                "idempotency_key": data["idempotency_key"]}

    def add_model_errors(self, error):
        """A ValidationError from Ticket.submit, each message next to its field."""
        for name, messages in error.message_dict.items():
            field = self.error_fields.get(name, name)
            self.add_error(field if field in self.fields else None, messages)


class RepairForm(TicketForm):
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices,
                                initial=Urgency.NORMAL, widget=forms.RadioSelect)
    location = forms.ChoiceField(
        label=_("Where"), widget=forms.RadioSelect,
        error_messages={"required": _("Choose one of your houses or a public area."),
                        "invalid_choice": _("This house is not one of yours.")})
    public_area = forms.CharField(
        label=_("Where in the community"), max_length=100, required=False,
        help_text=_("For a public area: e.g. the lift of building 3, the car park gate."))
    video = VideoField(label=_("Short video"))
    preferred_start = forms.DateTimeField(
        label=_("Preferred from"), required=False, widget=DateTimeLocalInput,
        input_formats=[DATETIME_LOCAL], help_text=_("For repairs by appointment."))
    preferred_end = forms.DateTimeField(
        label=_("Preferred until"), required=False, widget=DateTimeLocalInput,
        input_formats=[DATETIME_LOCAL])

    kinds = (TicketKind.REPAIR,)
    field_order = ["category", "urgency", "location", "public_area", "description",
                   "photos", "video", "preferred_start", "preferred_end"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.houses = {
            f"house-{house.pk}": house
            for house in House.objects.filter(
                occupancies__resident=self.resident,
                occupancies__state__in=Occupancy.ACTIVE_STATES,
            ).select_related("unit__building").distinct().order_by("pk")}
        location = self.fields["location"]
        location.choices = [(key, house.label) for key, house in self.houses.items()] + [
            (PUBLIC_AREA, _("A public area of the community"))]
        if len(self.houses) == 1:
            location.initial = next(iter(self.houses))

    def clean(self):
        data = super().clean()
        if data.get("location") == PUBLIC_AREA and not data.get("public_area", "").strip():
            self.add_error("public_area", _("Say where in the community."))
        return data

    def ticket_fields(self):
        data = self.cleaned_data
        house = self.houses.get(data["location"])
        return {**super().ticket_fields(), "kind": TicketKind.REPAIR,
                "urgency": data["urgency"], "house": house,
                "public_area": "" if house else data["public_area"],
                "preferred_start": data["preferred_start"],
                "preferred_end": data["preferred_end"]}


class ComplaintForm(TicketForm):
    anonymous = forms.BooleanField(
        label=_("Anonymous toward the handling staff"), required=False,
        help_text=_("Customer service will not see your name or phone number. The "
                    "community manager still can, so that they can follow it up with you."))

    kinds = (TicketKind.COMPLAINT, TicketKind.SUGGESTION)
    field_order = ["category", "description", "photos", "anonymous"]

    def category_choices(self):
        """Grouped: complaints, then suggestions (the category decides the kind)."""
        groups = {kind: [] for kind in self.kinds}
        for pk, category in self.categories.items():
            groups[category.kind].append((pk, category.name))
        return [(TicketKind(kind).label, choices) for kind, choices in groups.items()
                if choices]

    def ticket_fields(self):
        return {**super().ticket_fields(), "kind": self.cleaned_data["category"].kind,
                "anonymous": self.cleaned_data["anonymous"]}


# --- actions on a ticket ---------------------------------------------------------------

class MessageForm(forms.Form):
    """Words, photos, or both."""

    text = forms.CharField(label=_("Message"), max_length=1000, required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))
    photos = PhotosField(label=_("Photos"))
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("idempotency_key", new_idempotency_key())
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        if "photos" in data and not data.get("text") and not data["photos"]:
            self.add_error("text", _("Write a message or add a photo."))
        return data


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason (optional)"), max_length=200, required=False)


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("What is still wrong?"), max_length=500,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": _("Say what is still wrong.")})


class RatingForm(forms.Form):
    speed = forms.TypedChoiceField(label=_("Speed"), choices=STARS, coerce=int,
                                   widget=forms.RadioSelect,
                                   error_messages={"required": _("Give 1 to 5 stars.")})
    attitude = forms.TypedChoiceField(label=_("Attitude"), choices=STARS, coerce=int,
                                      widget=forms.RadioSelect,
                                      error_messages={"required": _("Give 1 to 5 stars.")})
    quality = forms.TypedChoiceField(label=_("Quality"), choices=STARS, coerce=int,
                                     widget=forms.RadioSelect,
                                     error_messages={"required": _("Give 1 to 5 stars.")})
    comment = forms.CharField(label=pgettext_lazy("rating", "Comment"), max_length=500,
                              required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))
