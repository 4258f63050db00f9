"""The guard's forms: a typed or scanned code, recording an entry or exit once, choosing
the gate's community, and registering a visitor who came without a pass."""

from urllib.parse import parse_qs, urlsplit

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.accounts.phone import MobileField
from portal.estates.models import Building, House, Unit

from .plates import normalise_plate

MAX_CODE_LENGTH = 400
MAX_PEOPLE = 50


def code_from_scan(text):
    """What a scan gives may be the pass's link rather than its bare token: take the
    token from the link's ``code``/``t`` parameter or its last path segment."""
    text = (text or "").strip()
    if not text.lower().startswith(("http://", "https://")):
        return text
    parts = urlsplit(text)
    query = parse_qs(parts.query)
    for name in ("code", "t", "token"):
        if query.get(name):
            return query[name][0].strip()
    return parts.path.rstrip("/").rpartition("/")[2]


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Pass code"), max_length=MAX_CODE_LENGTH,
        error_messages={"required": _("Type the code shown under the visitor's QR code.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off",
                                      "autocapitalize": "off", "spellcheck": "false",
                                      "enterkeyhint": "go"}))

    def clean_code(self):
        return code_from_scan(self.cleaned_data["code"])


class OnceForm(forms.Form):
    """A one-time key from the page that showed the button: a double tap records once."""

    key = forms.RegexField(regex=r"^[0-9a-f]{32}$", widget=forms.HiddenInput)


class AdmitForm(CodeForm, OnceForm):
    pass


class ExitForm(OnceForm):
    visitor_pass = forms.IntegerField(widget=forms.HiddenInput)


class CommunityForm(forms.Form):
    community = forms.ModelChoiceField(label=_("This gate's community"), queryset=None,
                                       empty_label=None, widget=forms.RadioSelect)

    def __init__(self, *args, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities


class WalkInForm(OnceForm):
    """Building, then unit, then house, each limited to the one chosen before it and to the
    gate's community; "refresh" re-shows the form with the next list filled in (a page
    without JavaScript needs the round trip), keeping what was typed."""

    building = forms.ModelChoiceField(label=_("Building"), queryset=Building.objects.none(),
                                      empty_label=_("Choose a building"))
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none(),
                                  empty_label=_("Choose a unit"))
    house = forms.ModelChoiceField(label=_("House"), queryset=House.objects.none(),
                                   empty_label=_("Choose a house"))
    visitor_name = forms.CharField(label=_("Visitor's name"), max_length=50)
    visitor_phone = MobileField(label=_("Visitor's mobile number (optional)"), required=False)
    people = forms.IntegerField(label=_("Number of people"), min_value=1,
                                max_value=MAX_PEOPLE, initial=1,
                                widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    plate = forms.CharField(label=_("Car plate (optional)"), max_length=20, required=False,
                            widget=forms.TextInput(attrs={"autocapitalize": "characters",
                                                          "autocomplete": "off"}))
    purpose = forms.CharField(label=_("Purpose of the visit"), max_length=100)

    def __init__(self, *args, community, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["building"].queryset = Building.objects.filter(community=community)
        building = self._chosen("building")
        if building:
            self.fields["unit"].queryset = Unit.objects.filter(
                community=community, building_id=building).order_by("name")
        unit = self._chosen("unit")
        if building and unit:
            self.fields["house"].queryset = House.objects.filter(
                community=community, building_id=building, unit_id=unit).order_by("number")
        for name in ("building", "unit"):
            self.fields[name].widget.attrs["data-refresh"] = "1"

    def _chosen(self, name):
        value = (self.data or self.initial).get(name)
        return int(value) if str(value or "").isdigit() else None

    def clean_plate(self):
        plate = self.cleaned_data["plate"]
        return normalise_plate(plate) if plate.strip() else ""

    def clean(self):
        cleaned = super().clean()
        house, unit = cleaned.get("house"), cleaned.get("unit")
        if house and unit and house.unit_id != unit.pk:
            self.add_error("house", _("Choose a house of the chosen unit."))
        return cleaned
