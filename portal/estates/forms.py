"""Forms residents fill in about the estate directory."""

import unicodedata

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import House, Occupancy, Unit


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, unit):
        return str(unit)  # 3栋2单元


class BindHouseForm(forms.Form):
    """Claim a house: pick the building and unit, type the number on the door."""

    unit = UnitChoiceField(label=_("Building and unit"), queryset=Unit.objects.none(),
                           empty_label=_("Choose your building and unit"))
    number = forms.CharField(
        label=_("House number"), max_length=20,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. 1201"), "autocomplete": "off"}),
    )
    role = forms.ChoiceField(label=_("You are the"), choices=Occupancy.Role.choices,
                             initial=Occupancy.Role.OWNER, widget=forms.RadioSelect)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.visible_to(user).select_related("building")

    def clean_number(self):
        # Full-width digits and stray spaces are common with Chinese input methods.
        return unicodedata.normalize("NFKC", self.cleaned_data["number"]).replace(" ", "")

    def clean(self):
        cleaned = super().clean()
        unit, number = cleaned.get("unit"), cleaned.get("number")
        if unit and number:
            # The unit comes from the resident's visible units, so the house does too.
            house = House.objects.filter(unit=unit, number=number).select_related(
                "unit__building").first()
            if house is None:
                self.add_error("number", _(
                    "There is no house %(number)s in %(unit)s. Check the number on your "
                    "door, or ask the property office."
                ) % {"number": number, "unit": unit})
            cleaned["house"] = house
        return cleaned
