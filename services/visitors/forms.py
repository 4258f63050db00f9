"""The owner's invitation form: the visitor's facts and the visit window, for one of the
owner's verified houses. The rules (window, plate, kinds) are invitations.invite's; the
form checks them all in one go, so a bad phone, a bad plate and a bad window are shown
together, each next to its field, with the input kept (invitations.invite checks them
again when the pass is made, and its refusals come back the same way)."""

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.accounts.phone import MobileField

from . import invitations
from .invitations import MAX_PEOPLE
from .models import VisitorPass, VisitorSetting

LOCAL_MINUTE = "%Y-%m-%dT%H:%M"
# The window the form offers: from this minute, this long (or the community's longest).
DEFAULT_WINDOW_HOURS = 4


class WhenInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self):
        super().__init__(format=LOCAL_MINUTE)


def default_window(houses, now=None):
    """The window the form starts with: from the current minute (rounded down, so a
    visitor already at the gate gets in at once) for DEFAULT_WINDOW_HOURS, no longer than
    the longest window of any of the houses' communities."""
    start = timezone.localtime(now).replace(second=0, microsecond=0)
    community_ids = {house.community_id for house in houses}
    hours = min([DEFAULT_WINDOW_HOURS] + [
        VisitorSetting.for_community(community_id).max_window_hours
        for community_id in community_ids])
    return {"starts_at": start, "ends_at": start + timedelta(hours=hours)}


class InviteForm(forms.Form):
    key = forms.RegexField(regex=r"^[0-9a-f]{32}$", widget=forms.HiddenInput)
    house = forms.ModelChoiceField(label=_("House"), queryset=None, empty_label=None)
    visitor_name = forms.CharField(label=_("Visitor's name"), max_length=50)
    visitor_phone = MobileField(label=_("Visitor's mobile number (optional)"), required=False)
    people = forms.IntegerField(label=_("Number of people"), min_value=1, max_value=MAX_PEOPLE,
                                initial=1, widget=forms.NumberInput(attrs={"inputmode":
                                                                           "numeric"}))
    plate = forms.CharField(label=_("Car plate (optional)"), max_length=20, required=False,
                            widget=forms.TextInput(attrs={"autocapitalize": "characters",
                                                          "autocomplete": "off",
                                                          "placeholder": "粤B12345"}))
    purpose = forms.CharField(label=_("Purpose of the visit"), max_length=100, required=False)
    starts_at = forms.DateTimeField(label=_("Arrives from"), widget=WhenInput(),
                                    input_formats=[LOCAL_MINUTE, "%Y-%m-%d %H:%M"])
    ends_at = forms.DateTimeField(label=_("Valid until"), widget=WhenInput(),
                                  input_formats=[LOCAL_MINUTE, "%Y-%m-%d %H:%M"])
    kind = forms.ChoiceField(label=_("Entries"), choices=VisitorPass.Kind.choices,
                             help_text=_("Multiple entries: in and out any number of times "
                                         "within the window."),
                             initial=VisitorPass.Kind.SINGLE, widget=forms.RadioSelect)

    def __init__(self, *args, houses, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["house"].queryset = houses
        if not self.is_bound:
            self.initial = {**default_window(houses), **self.initial}

    def clean(self):
        """The invitation's rules on every field that could be read, whatever else is
        wrong: each refusal goes next to its field, none waits for another's fix."""
        data = super().clean()
        errors, plate = invitations.visitor_errors(
            visitor_name=data.get("visitor_name"), people=data.get("people"),
            plate=data.get("plate"))
        house = data.get("house")
        if house is not None:
            setting = VisitorSetting.for_community(house.community_id)
            if data.get("starts_at") and data.get("ends_at"):
                errors.update(invitations.window_errors(setting, data["starts_at"],
                                                        data["ends_at"]))
            if data.get("kind"):
                errors.update(invitations.kind_errors(setting, data["kind"]))
        for field, message in errors.items():
            # A field the form refused already keeps that one message.
            if field in data and not self.has_error(field):
                self.add_error(field, message)
        if "plate" in data:
            data["plate"] = plate or ""
        return data
