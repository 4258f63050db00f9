"""Staff create a merchant's login accounts."""

from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import User
from portal.accounts.phone import MobileField
from portal.estates.viewsets import ScopedModelForm

from . import accounts
from .models import MerchantAccount


class MerchantAccountForm(ScopedModelForm):
    """A new login for a merchant the staff member may manage (choices are scoped)."""

    username = forms.CharField(label=_("Username"), max_length=150)
    password = forms.CharField(
        label=_("Password"),
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}))
    phone = MobileField(required=False)

    class Meta:
        model = MerchantAccount
        fields = ["merchant", "name"]

    field_order = ["merchant", "name", "phone", "username", "password"]

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        self.acting_user = for_user

    def clean_username(self):
        username = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("This username is taken."))
        return username

    def clean_phone(self):
        phone = self.cleaned_data["phone"]
        if phone and User.find_by_phone(phone) is not None:
            raise forms.ValidationError(_("Another account uses this mobile number."))
        return phone

    def clean_password(self):
        password = self.cleaned_data["password"]
        password_validation.validate_password(password)
        return password

    def save(self, commit=True):
        data = self.cleaned_data
        self.instance = accounts.create_account(
            data["merchant"], username=data["username"], name=data["name"],
            password=data["password"], phone=data["phone"], by=self.acting_user)
        return self.instance
