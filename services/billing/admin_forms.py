"""Forms of the billing desk: setup rows (choices limited to the user's communities),
a meter reading typed in, a bill run requested, a line adjusted or waived.

A house is typed as its label (building-unit-number, e.g. "3栋-2单元-1201", or the
directory's "3栋2单元1201") and found among the houses the user may see, rather than
chosen from a list of every house (tens of thousands)."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Concat
from django.utils.translation import gettext_lazy as _

from portal.estates.models import House
from portal.estates.viewsets import ScopedModelForm
from portal.spreadsheet_import import UploadForm

from . import generation, tasks
from .fees import Period
from .models import (
    BillLine,
    BillRun,
    FeeItem,
    LateFeeRule,
    Meter,
    MeterReading,
    ParkingSpace,
    State,
    Utility,
)

HOUSE_SEPARATORS = re.compile(r"\s*[-/－—\s]\s*")


def house_label(house):
    """The label typed for a house: building-unit-number."""
    return f"{house.unit.building.name}-{house.unit.name}-{house.number}"


def find_house(text, user, community=None):
    """The one house of the user's communities (of ``community`` when given) that
    ``text`` names, or ValidationError saying why none is found or which are meant."""
    text = (text or "").strip()
    houses = House.objects.visible_to(user)
    if community is not None:
        houses = houses.filter(community=community)
    parts = [part for part in HOUSE_SEPARATORS.split(text) if part]
    if len(parts) == 3:
        found = houses.filter(unit__building__name=parts[0], unit__name=parts[1],
                              number=parts[2])
    else:
        found = houses.alias(label=Concat("unit__building__name", "unit__name", "number")
                             ).filter(label="".join(parts))
    found = list(found.select_related("unit__building", "community")[:6])
    if not found:
        raise ValidationError(
            _("No house %(house)s in your communities. Type it as building-unit-number, "
              "e.g. 3栋-2单元-1201.") % {"house": text}, code="no_house")
    if len(found) > 1:
        raise ValidationError(
            _("%(house)s names several houses (%(houses)s): choose the community or type "
              "building-unit-number.") % {
                "house": text, "houses": ", ".join(
                    f"{house.community} {house_label(house)}" for house in found[:5])},
            code="ambiguous")
    return found[0]


class HouseLabelField(forms.CharField):
    """A house typed by its label; ``clean`` gives the label, the form resolves it."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 100)
        kwargs.setdefault("help_text", _("Building-unit-number, e.g. 3栋-2单元-1201."))
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("placeholder", "3栋-2单元-1201")


class FeeItemForm(ScopedModelForm):
    class Meta:
        model = FeeItem
        fields = ["community", "name", "kind", "utility", "unit_price", "kind_prices", "tiers",
                  "charge_on", "due_days", "active", "sort_order"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.kind != FeeItem.Kind.LATE_FEE:
            # The late-fee item is made by late_fees.py, never typed in.
            self.fields["kind"].choices = [
                choice for choice in self.fields["kind"].choices
                if choice[0] != FeeItem.Kind.LATE_FEE]


class LateFeeRuleForm(ScopedModelForm):
    class Meta:
        model = LateFeeRule
        fields = ["community", "daily_rate", "fixed_amount", "grace_days", "cap", "active"]


class ParkingSpaceForm(ScopedModelForm):
    house = HouseLabelField(label=_("House"), required=False)

    class Meta:
        model = ParkingSpace
        fields = ["community", "number", "house", "monthly_fee"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.house_id and not self.is_bound:
            self.initial["house"] = house_label(self.instance.house)

    def clean_house(self):
        text = self.cleaned_data.get("house")
        if not text:
            return None
        community = self.cleaned_data.get("community")
        if community is None:
            return None  # the community's own error is shown (the text stays typed)
        return find_house(text, self.for_user, community=community)


class MeterReadingForm(ScopedModelForm):
    """A reading typed in: the house's meter of that utility (made on first use), checked
    like an imported one; a reading on file corrected through ``MeterReading.correct``,
    which re-prices the unpaid bills charged from it."""

    house = HouseLabelField(label=_("House"))
    utility = forms.ChoiceField(choices=Utility.choices, label=_("Utility"))
    period = forms.DateField(label=_("Month"), help_text=_("Any day of the month read."),
                             widget=forms.DateInput(attrs={"type": "date"}))

    class Meta:
        model = MeterReading
        fields = ["period", "reading", "meter_change", "start_reading",
                  "high_use_confirmed", "read_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # The meter and month of a reading on file stay; only its figures change.
            for name in ("house", "utility", "period"):
                del self.fields[name]

    def clean_house(self):
        return find_house(self.cleaned_data.get("house"), self.for_user)

    def clean(self):
        cleaned = super().clean()
        if not self.instance.pk and cleaned.get("house") and cleaned.get("utility"):
            meter = Meter.objects.filter(house=cleaned["house"],
                                         utility=cleaned["utility"]).first()
            if meter is None:
                # A new meter: no reading to compare with.
                meter = Meter(house=cleaned["house"], utility=cleaned["utility"])
            elif cleaned.get("period") and meter.readings.filter(
                    period=cleaned["period"].replace(day=1)).exists():
                raise ValidationError(_("This meter already has a reading for %(month)s.")
                                      % {"month": f"{cleaned['period']:%Y-%m}"})
            self.instance.meter = meter
        return cleaned

    def save(self, commit=True):
        data = self.cleaned_data
        if self.instance.pk:
            self.instance.correct(by=self.for_user, reading=data["reading"],
                                  meter_change=data["meter_change"],
                                  start_reading=data["start_reading"],
                                  read_at=data.get("read_at"),
                                  high_use_confirmed=data["high_use_confirmed"])
            return self.instance
        with transaction.atomic():
            meter, _created = Meter.objects.get_or_create(house=data["house"],
                                                          utility=data["utility"])
            self.instance = MeterReading.record(
                meter, data["period"], data["reading"], by=self.for_user,
                meter_change=data["meter_change"], start_reading=data["start_reading"],
                read_at=data.get("read_at"), high_use_confirmed=data["high_use_confirmed"])
        return self.instance


class BillRunForm(ScopedModelForm):
    period = forms.CharField(label=_("Period"), max_length=10,
                             help_text=_("2026-11 for a month, 2026-Q4 for a quarter, 2026 "
                                         "for a year."))

    class Meta:
        model = BillRun
        fields = ["community"]

    def clean_period(self):
        return Period.parse(self.cleaned_data["period"])

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("community") and cleaned.get("period"):
            try:
                generation.check_no_overlap(cleaned["community"], cleaned["period"])
            except ValidationError as error:
                self.add_error("period", error)
        return cleaned

    def save(self, commit=True):
        run = generation.request(self.cleaned_data["community"], self.cleaned_data["period"],
                                 by=self.for_user)
        transaction.on_commit(lambda: tasks.run_bill_run.enqueue(run.pk))
        self.instance = run
        return run


class ReadingUploadForm(UploadForm):
    """The shared upload form (a community of the user's, a file checked by its content),
    with the month read."""

    period = forms.DateField(label=_("Month"), help_text=_("Any day of the month read."),
                             widget=forms.DateInput(attrs={"type": "date"}))


class LineChangeForm(forms.Form):
    """Adjust or waive one open line of a bill."""

    ADJUST, WAIVE = "adjust", "waive"
    line = forms.ModelChoiceField(queryset=BillLine.objects.none(), label=_("Line"))
    change = forms.ChoiceField(label=_("Change"), widget=forms.RadioSelect,
                               choices=[(ADJUST, _("Set a new amount")),
                                        (WAIVE, _("Waive the line"))], initial=ADJUST)
    amount = forms.DecimalField(label=_("New amount (yuan)"), required=False, min_value=0,
                                max_digits=12, decimal_places=2)
    reason = forms.CharField(label=_("Reason"), max_length=500,
                             widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, bill, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["line"].queryset = bill.lines.filter(
            state__in=[State.DUE, State.PARTLY_PAID]).select_related("fee_item")
        self.fields["line"].label_from_instance = (
            lambda line: f"{line.description} ({line.amount_due})")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("change") == self.ADJUST and cleaned.get("amount") is None:
            self.add_error("amount", _("Give the new amount in yuan."))
        return cleaned

    def act(self, user):
        """Call the line's verb; its ValidationError / TransitionNotAllowed reach the view."""
        line, reason = self.cleaned_data["line"], self.cleaned_data["reason"]
        if self.cleaned_data["change"] == self.WAIVE:
            line.waive(by=user, reason=reason)
            return _("The line is waived.")
        line.adjust(self.cleaned_data["amount"], by=user, reason=reason)
        return _("The line is adjusted.")

