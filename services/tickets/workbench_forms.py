"""The worker's forms: when they will arrive, and what they did."""

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from services.media.fields import PhotosField

ARRIVAL_CHOICES = [
    (15, _("in 15 minutes")),
    (30, _("in 30 minutes")),
    (60, _("in 1 hour")),
    (120, _("in 2 hours")),
    (240, _("in 4 hours")),
]
# Arrival times are rounded up to this many minutes: a double tap gives the same time.
ROUND_MINUTES = 5


class SetOffForm(forms.Form):
    arrive_in = forms.TypedChoiceField(label=_("I will arrive"), choices=ARRIVAL_CHOICES,
                                       coerce=int, initial=30)

    def expected_arrival(self, now=None):
        """Now plus the chosen minutes, rounded up to the next ROUND_MINUTES."""
        at = (now or timezone.now()) + timedelta(minutes=self.cleaned_data["arrive_in"])
        past_the_mark = timedelta(minutes=at.minute % ROUND_MINUTES, seconds=at.second,
                                  microseconds=at.microsecond)
        if past_the_mark:
            at += timedelta(minutes=ROUND_MINUTES) - past_the_mark
        return at


class CompleteForm(forms.Form):
    materials = forms.CharField(
        label=_("Materials used"), required=False, max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: 1 tap cartridge, 2 m of pipe. Leave empty if none."))
    note = forms.CharField(label=_("What was done"), required=False, max_length=1000,
                           widget=forms.Textarea(attrs={"rows": 3}))
    photos = PhotosField(
        label=_("Photos after the repair"), required=True,
        error_messages={"required": _("Add at least one photo of the finished work.")})
