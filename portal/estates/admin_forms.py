"""Forms of the estate directory's admin screens."""

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import User
from portal.accounts.phone import MobileField
from portal.crypto import mask_id_number, mask_phone

from . import roles
from .models import Community, House, OwnerRecord, Resident, Staff, Unit
from .viewsets import ScopedModelForm


def _with_community(choice_field, related=()):
    """Name each choice with its community: leadership sees several with a '1栋'."""
    choice_field.queryset = choice_field.queryset.select_related("community", *related)
    choice_field.label_from_instance = lambda obj: f"{obj.community} · {obj}"


class WriteOnlyPersonalDataMixin:
    """Phone and ID numbers are never put back into a form in clear: on edit the field
    starts empty, says what is on file (masked), and leaving it empty keeps it."""

    write_only = {}  # field name -> masking function

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, mask in self.write_only.items():
            current = getattr(self.instance, name, "") if self.instance.pk else ""
            self.initial[name] = ""
            if current:
                field = self.fields[name]
                field.required = False
                field.help_text = _("On file: %(masked)s. Leave empty to keep it.") % {
                    "masked": mask(current)
                }

    def clean(self):
        cleaned_data = super().clean()
        for name in self.write_only:
            if not cleaned_data.get(name) and self.instance.pk:
                cleaned_data[name] = getattr(self.instance, name, "")
        return cleaned_data


class CommunityForm(ScopedModelForm):
    class Meta:
        model = Community
        fields = ["company", "name", "code", "address", "service_phone", "office_hours",
                  "registration_open"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # A community does not move to another company.
            del self.fields["company"]


class UnitForm(ScopedModelForm):
    class Meta:
        model = Unit
        fields = ["building", "name"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _with_community(self.fields["building"])


class HouseForm(ScopedModelForm):
    class Meta:
        model = House
        fields = ["unit", "number", "floor", "area", "kind"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _with_community(self.fields["unit"], related=["building"])


class OwnerRecordForm(WriteOnlyPersonalDataMixin, ScopedModelForm):
    write_only = {"phone": mask_phone, "id_number": mask_id_number}
    phone = MobileField(required=False)

    class Meta:
        model = OwnerRecord
        fields = ["house", "name", "phone", "id_number"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _with_community(self.fields["house"], related=["unit__building"])


class ResidentForm(WriteOnlyPersonalDataMixin, ScopedModelForm):
    """Staff correct a resident's name and ID number; the community and the phone are
    the resident's own account settings."""

    write_only = {"id_number": mask_id_number}

    class Meta:
        model = Resident
        fields = ["name", "id_number"]


def role_groups_for(user):
    """The roles a user may hand out: only leadership may make someone leadership."""
    names = set(roles.ROLE_PERMISSIONS)
    if not (user.is_superuser or user.groups.filter(name=roles.LEADERSHIP).exists()):
        names.discard(roles.LEADERSHIP)
    return Group.objects.filter(name__in=names).order_by("pk")


class StaffForm(ScopedModelForm):
    """A staff member is a login account (username, password, phone, role groups) with
    a profile (name, communities, trades)."""

    username = forms.CharField(label=_("Username"), max_length=150)
    password = forms.CharField(
        label=_("Password"), required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Required for a new account. On edit, leave empty to keep the password."),
    )
    phone = MobileField(required=False)
    roles = forms.ModelMultipleChoiceField(
        label=_("Roles"), queryset=Group.objects.none(), widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Staff
        fields = ["name", "communities", "trades"]
        widgets = {
            "communities": forms.CheckboxSelectMultiple,
            "trades": forms.CheckboxSelectMultiple,
        }

    field_order = ["username", "password", "name", "phone", "roles", "communities", "trades"]

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        self.acting_user = for_user
        self.fields["roles"].queryset = role_groups_for(for_user)
        self.fields["communities"].help_text = _("The staff member sees the data of these.")
        self.fields["trades"].help_text = _("For maintenance workers: what they repair.")
        user = self.instance.user if self.instance.pk else None
        if user is None:
            self.fields["password"].required = True
        else:
            self.initial["username"] = user.username
            self.initial["roles"] = list(user.groups.filter(name__in=roles.ROLE_PERMISSIONS))
            self.initial["phone"] = ""
            if user.phone:
                self.fields["phone"].help_text = _(
                    "On file: %(masked)s. Leave empty to keep it."
                ) % {"masked": user.masked_phone}

    @property
    def account(self):
        return self.instance.user if self.instance.pk else None

    def clean_username(self):
        username = self.cleaned_data["username"]
        taken = User.objects.filter(username__iexact=username)
        if self.account:
            taken = taken.exclude(pk=self.account.pk)
        if taken.exists():
            raise forms.ValidationError(_("This username is taken."))
        return username

    def clean_phone(self):
        phone = self.cleaned_data["phone"]
        if phone:
            owner = User.find_by_phone(phone)
            if owner is not None and owner != self.account:
                raise forms.ValidationError(_("Another account uses this mobile number."))
        return phone

    def clean_password(self):
        password = self.cleaned_data["password"]
        if password:
            password_validation.validate_password(password, self.account)
        return password

    def clean_roles(self):
        chosen = self.cleaned_data["roles"]
        if self.account and self.account.groups.filter(name=roles.LEADERSHIP).exists():
            # Someone who may not grant leadership may not take it away either.
            if not self.fields["roles"].queryset.filter(name=roles.LEADERSHIP).exists():
                raise forms.ValidationError(_("Only leadership may change a leader's roles."))
        return chosen

    def _company(self):
        acting_staff = getattr(self.acting_user, "staff", None)
        if acting_staff is not None:
            return acting_staff.company
        communities = self.cleaned_data.get("communities")
        if communities:
            return communities[0].company
        return None

    def clean(self):
        cleaned_data = super().clean()
        if not self.instance.pk and self._company() is None:
            raise forms.ValidationError(_("Bind the staff member to at least one community."))
        return cleaned_data

    def save(self, commit=True):
        with transaction.atomic():
            user = self.account or User()
            user.username = self.cleaned_data["username"]
            if self.cleaned_data["phone"]:
                user.phone = self.cleaned_data["phone"]
            if self.cleaned_data["password"]:
                user.set_password(self.cleaned_data["password"])
            user.save()
            offered = self.fields["roles"].queryset
            kept = user.groups.exclude(pk__in=offered)
            user.groups.set([*kept, *self.cleaned_data["roles"]])

            staff = super().save(commit=False)
            staff.user = user
            if not staff.company_id:
                staff.company = self._company()
            staff.save()
            # Communities the acting user cannot see were not offered; keep them.
            offered = self.fields["communities"].queryset
            kept = staff.communities.exclude(pk__in=offered) if self.instance.pk else []
            staff.communities.set([*kept, *self.cleaned_data["communities"]])
            staff.trades.set(self.cleaned_data["trades"])
        return staff


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False,
                             widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, required=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = required
