"""Forms of the billing desk: setup rows (choices limited to the user's communities),
a meter reading typed in, a bill run requested, a line adjusted or waived."""

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from portal.estates.import_admin import UploadForm
from portal.estates.models import House
from portal.estates.viewsets import ScopedModelForm

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


class FeeItemForm(ScopedModelForm):
    class Meta:
        model = FeeItem
        fields = ["community", "name", "kind", "utility", "unit_price", "kind_prices", "tiers",
                  "charge_on", "due_days", "active", "sort_order"]


class LateFeeRuleForm(ScopedModelForm):
    class Meta:
        model = LateFeeRule
        fields = ["community", "daily_rate", "fixed_amount", "grace_days", "cap", "active"]


class ParkingSpaceForm(ScopedModelForm):
    class Meta:
        model = ParkingSpace
        fields = ["community", "number", "house", "monthly_fee"]


class MeterReadingForm(ScopedModelForm):
    """A reading typed in: the house's meter of that utility (made on first use), checked
    like an imported one."""

    house = forms.ModelChoiceField(queryset=House.objects.all(), label=_("House"))
    utility = forms.ChoiceField(choices=Utility.choices, label=_("Utility"))
    period = forms.DateField(label=_("Month"), help_text=_("Any day of the month read."),
                             widget=forms.DateInput(attrs={"type": "date"}))

    class Meta:
        model = MeterReading
        fields = ["period", "reading", "meter_change", "start_reading", "read_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # The meter and month of a reading on file stay; only its figures change.
            for name in ("house", "utility", "period"):
                del self.fields[name]

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
        if self.instance.pk:
            return super().save(commit)
        data = self.cleaned_data
        with transaction.atomic():
            meter, _created = Meter.objects.get_or_create(house=data["house"],
                                                          utility=data["utility"])
            self.instance = MeterReading.record(
                meter, data["period"], data["reading"], by=self.for_user,
                meter_change=data["meter_change"], start_reading=data["start_reading"],
                read_at=data.get("read_at"))
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
    """The directory import's upload form (a community of the user's, a file checked by
    its content), with the month read."""

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

