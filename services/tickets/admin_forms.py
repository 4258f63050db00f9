"""Forms of the customer-service desk: one small form per action on a ticket (each
calls one model verb), and the setup forms (categories, dispatch rules, teams, duty
shifts), whose choices are limited to the user's communities."""

import re
import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from portal.estates import roles
from portal.estates.models import Staff
from portal.estates.viewsets import ScopedModelForm

from .categories import TicketCategory
from .dispatch import suggest_workers
from .models import DONE_STATES, OPEN_STATES, WAITING_FOR_DISPATCH, Ticket
from .roster import DispatchRule, DutyShift, WorkerTeam

# BX20261123-1234, TS20261123-1234, JY... or the bare number after the dash.
REFERENCE = re.compile(r"^\s*(?:[A-Za-z]{2}\d{8}-)?(\d{1,12})\s*$")


def ticket_pk_from_reference(text):
    match = REFERENCE.match(text or "")
    return int(match.group(1)) if match else None


class WorkerChoiceField(forms.ModelChoiceField):
    """The ticket's community's workers, best first, each with what decides the order."""

    def label_from_instance(self, worker):
        facts = [_("matching trade") if worker.has_trade else _("other trade"),
                 _("on duty") if worker.on_duty else _("off duty"),
                 _("%(count)d open") % {"count": worker.load}]
        return f"{worker.name} ({', '.join(str(fact) for fact in facts)})"


class TicketActionForm(forms.Form):
    """A form posted from the ticket page. ``act()`` calls the model verb and returns
    the success message; the verb's ValidationError and TransitionNotAllowed reach the
    view unchanged."""

    action = None
    label = None
    # A one-time key: a double click or a resent form has its effect once.
    once = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, data=None, *, ticket, user):
        super().__init__(data, prefix=self.action, initial={"once": uuid.uuid4().hex})
        self.ticket = ticket
        self.user = user

    def act(self):
        raise NotImplementedError


class AcceptForm(TicketActionForm):
    action = "accept"
    label = _("Accept")

    def act(self):
        self.ticket.accept(by=self.user)
        return _("You have accepted the ticket.")


class DispatchForm(TicketActionForm):
    action = "dispatch"
    label = _("Dispatch")
    worker = WorkerChoiceField(queryset=Staff.objects.none(), label=_("Worker"))
    expected_arrival = forms.DateTimeField(
        label=_("Expected arrival"), required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    note = forms.CharField(label=_("Note to the worker"), required=False, max_length=500)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["worker"].queryset = suggest_workers(self.ticket)

    def act(self):
        worker = self.cleaned_data["worker"]
        self.ticket.dispatch(worker, by=self.user,
                             expected_arrival=self.cleaned_data["expected_arrival"],
                             note=self.cleaned_data["note"])
        return _("The ticket is dispatched to %(worker)s.") % {"worker": worker.name}


class ReassignForm(DispatchForm):
    action = "reassign"
    label = _("Reassign")
    expected_arrival = None

    def act(self):
        worker = self.cleaned_data["worker"]
        self.ticket.reassign(worker, by=self.user, note=self.cleaned_data["note"])
        return _("The ticket is reassigned to %(worker)s.") % {"worker": worker.name}


class MergeForm(TicketActionForm):
    action = "merge"
    label = _("Merge into another ticket")
    reference = forms.CharField(label=_("Number of the other ticket"), max_length=30,
                                help_text=_("For example BX20261123-1234."))

    def clean_reference(self):
        pk = ticket_pk_from_reference(self.cleaned_data["reference"])
        other = Ticket.objects.visible_to(self.user).filter(pk=pk).first() if pk else None
        if other is None or other.community_id != self.ticket.community_id:
            raise ValidationError(_("No ticket of this community has this number."))
        return other

    def act(self):
        other = self.cleaned_data["reference"]
        self.ticket.merge_into(other, by=self.user)
        return _("The ticket is merged into %(other)s.") % {"other": other.reference}


class ReplyForm(TicketActionForm):
    action = "reply"
    label = _("Reply")
    text = forms.CharField(label=_("Reply to the owner"), widget=forms.Textarea(
        attrs={"rows": 4}), max_length=2000)

    def act(self):
        self.ticket.reply(by=self.user, text=self.cleaned_data["text"])
        return _("The reply is sent to the owner.")


class CloseForm(TicketActionForm):
    action = "close"
    label = _("Close")
    note = forms.CharField(label=_("Note"), required=False, max_length=500)

    def act(self):
        self.ticket.close(by=self.user, note=self.cleaned_data["note"])
        return _("The ticket is closed.")


class RevisitForm(TicketActionForm):
    action = "revisit"
    label = _("Record a revisit")
    satisfied = forms.TypedChoiceField(
        label=_("Was the owner satisfied?"), widget=forms.RadioSelect,
        choices=[("yes", _("Yes")), ("no", _("No"))], coerce=lambda value: value == "yes")
    note = forms.CharField(label=_("Result of the call"), required=False, max_length=1000,
                           widget=forms.Textarea(attrs={"rows": 3}))

    def act(self):
        self.ticket.record_revisit(by=self.user, satisfied=self.cleaned_data["satisfied"],
                                   note=self.cleaned_data["note"])
        if self.cleaned_data["satisfied"]:
            return _("The revisit is recorded.")
        return _("The revisit is recorded; a follow-up ticket is opened.")


class MessageForm(TicketActionForm):
    action = "message"
    label = _("Add a message")
    text = forms.CharField(label=_("Message"), max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 3}))
    visible_to_owner = forms.BooleanField(
        label=_("The owner sees it"), required=False,
        help_text=_("Leave unticked for an internal note."))

    def act(self):
        visible = self.cleaned_data["visible_to_owner"]
        self.ticket.add_message(by=self.user, text=self.cleaned_data["text"], visible=visible)
        if visible:
            return _("The message is sent to the owner.")
        return _("The internal note is added.")


ACTION_FORMS = {form.action: form for form in (
    AcceptForm, DispatchForm, ReassignForm, MergeForm, ReplyForm, CloseForm, RevisitForm,
    MessageForm)}


def offered_actions(ticket):
    """The names of the action forms that make sense in the ticket's state; the model
    verbs still decide."""
    state, repair = ticket.state, ticket.kind == Ticket.Kind.REPAIR
    offered = {
        "accept": state in (Ticket.State.SUBMITTED, Ticket.State.REOPENED),
        "dispatch": repair and state in WAITING_FOR_DISPATCH,
        "reassign": state in (Ticket.State.DISPATCHED, Ticket.State.IN_PROGRESS),
        "merge": state in OPEN_STATES,
        "reply": not repair and state in WAITING_FOR_DISPATCH,
        "close": state in DONE_STATES,
        "revisit": state in (*DONE_STATES, Ticket.State.CLOSED),
        "message": state != Ticket.State.CLOSED,
    }
    return [name for name, shown in offered.items() if shown]


# --- setup ---------------------------------------------------------------------------


def _workers(field):
    field.queryset = field.queryset.filter(user__groups__name=roles.WORKER).distinct()


class TicketCategoryForm(ScopedModelForm):
    """Categories belong to the company of the staff member editing them."""

    class Meta:
        model = TicketCategory
        fields = ["company", "kind", "name", "trade", "sort_order", "active",
                  "response_minutes", "completion_hours", "urgent_response_minutes",
                  "urgent_completion_hours"]

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        staff = getattr(for_user, "staff", None)
        if staff is not None:
            del self.fields["company"]
            self.instance.company_id = staff.company_id

    def clean(self):
        cleaned = super().clean()
        same_name = TicketCategory.objects.filter(
            company_id=self.instance.company_id or getattr(cleaned.get("company"), "pk", None),
            kind=cleaned.get("kind"), name=cleaned.get("name"),
        ).exclude(pk=self.instance.pk)
        if same_name.exists():
            self.add_error("name", _("This kind already has a category of this name."))
        return cleaned


class CommunityWorkersForm(ScopedModelForm):
    """Worker choices are the workers the user may see; the chosen ones must serve the
    chosen community."""

    worker_fields = []

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        for name in self.worker_fields:
            _workers(self.fields[name])

    def clean(self):
        cleaned = super().clean()
        community = cleaned.get("community")
        if community is None:
            return cleaned
        for name in self.worker_fields:
            value = cleaned.get(name)
            chosen = list(value) if hasattr(value, "__iter__") else [value] if value else []
            if any(not worker.communities.filter(pk=community.pk).exists() for worker in chosen):
                self.add_error(name, _("Choose workers who serve this community."))
        return cleaned


class DispatchRuleForm(CommunityWorkersForm):
    worker_fields = ["worker"]

    class Meta:
        model = DispatchRule
        fields = ["community", "building", "category", "worker", "team", "active"]


class WorkerTeamForm(CommunityWorkersForm):
    worker_fields = ["members"]

    class Meta:
        model = WorkerTeam
        fields = ["community", "name", "members"]
        widgets = {"members": forms.CheckboxSelectMultiple}


class DutyShiftForm(CommunityWorkersForm):
    worker_fields = ["staff"]

    class Meta:
        model = DutyShift
        fields = ["community", "staff", "starts_at", "ends_at"]
