"""The sign-up form on an activity page: only the fields the activity asks for."""

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from portal.accounts.phone import MobileField
from portal.estates.models import House, Occupancy


class ActivitySignupForm(forms.Form):
    house = forms.ModelChoiceField(House.objects.none(), label=_("House"),
                                   empty_label=None)
    people = forms.IntegerField(label=_("Number of people"), initial=1)
    phone = MobileField(label=_("Contact phone"))
    note = forms.CharField(label=_("Note to the organisers"), max_length=200, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, activity, resident, *args, **kwargs):
        kwargs.setdefault("initial", {"phone": resident.user.phone})
        super().__init__(*args, **kwargs)
        houses = House.objects.filter(occupancies__resident=resident,
                                      occupancies__state__in=Occupancy.ACTIVE_STATES)
        if houses.count() > 1:
            self.fields["house"].queryset = houses
        else:
            del self.fields["house"]
        if activity.ask_people:
            people = self.fields["people"]
            people.min_value, people.max_value = 1, activity.max_people
            people.validators += [MinValueValidator(1), MaxValueValidator(activity.max_people)]
            people.widget.attrs.update(min=1, max=activity.max_people)
        else:
            del self.fields["people"]
        if not activity.ask_phone:
            del self.fields["phone"]
        if not activity.ask_note:
            del self.fields["note"]
