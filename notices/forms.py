"""The editing forms of targeted pages (notices, activities): targets only within the
editor's communities, and no publishing without a target."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminPageForm

from portal.estates.scope import sees_whole_company
from portal.estates.viewsets import scoped

# The submit buttons of Wagtail's page editor that (eventually) make the page live.
PUBLISHING_ACTIONS = ("action-publish", "action-submit")
NO_TARGET = _("Choose who the notice is for (at least one target) before publishing it.")


def _scoped_target_form(form_class, user):
    class TargetForm(form_class):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            for name in ("community", "building", "unit"):
                self.fields[name].queryset = scoped(self.fields[name].queryset, user)
            # A unit's label names its building: one query, not one per unit.
            self.fields["unit"].queryset = self.fields["unit"].queryset.select_related(
                "building")
            if not sees_whole_company(user):
                self.fields["whole_company"].disabled = True

        def clean(self):
            cleaned_data = super().clean()
            if cleaned_data.get("whole_company") and not sees_whole_company(user):
                raise forms.ValidationError(
                    _("Only company leadership may address the whole company."))
            return cleaned_data

    return TargetForm


class NoticePageForm(WagtailAdminPageForm):
    no_target_message = NO_TARGET

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        targets = self.formsets.get("targets")
        if targets is not None:
            # Before the forms are built: every row, and the empty row the editor's
            # "add" button copies, offers only the editor's communities.
            targets.form = _scoped_target_form(targets.form, self.for_user)

    def clean(self):
        cleaned_data = super().clean()
        if any(action in self.data for action in PUBLISHING_ACTIONS):
            targets = self.formsets.get("targets")
            # An invalid row shows its own error; a valid but empty list shows this one.
            if targets is None or (targets.is_valid() and not self._kept_rows(targets)):
                self.add_error(None, self.no_target_message)
        return cleaned_data

    @staticmethod
    def _kept_rows(formset):
        return [form for form in formset.forms
                if (form.has_changed() or form.instance.pk)
                and not form.cleaned_data.get("DELETE")]


class ActivityPageForm(NoticePageForm):
    no_target_message = _("Choose who the activity is for (at least one target) before "
                          "publishing it.")

    def clean(self):
        cleaned_data = super().clean()
        starts, ends = cleaned_data.get("starts_at"), cleaned_data.get("ends_at")
        deadline = cleaned_data.get("signup_deadline")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("The activity must end after it starts."))
        if starts and deadline and deadline > starts:
            self.add_error("signup_deadline",
                           _("Sign-up must close before the activity starts."))
        return cleaned_data
