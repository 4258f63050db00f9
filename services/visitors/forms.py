"""The owner's invitation form: the visitor's facts and the visit window, for one of the
owner's verified houses. The rules (window, plate, kinds) are invitations.invite's: its
refusals come back next to their fields with the input kept."""

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.accounts.phone import MobileField

from .invitations import MAX_PEOPLE
from .models import VisitorPass

LOCAL_MINUTE = "%Y-%m-%dT%H:%M"


class WhenInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self):
        super().__init__(format=LOCAL_MINUTE)


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
