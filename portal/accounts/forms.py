from allauth.account.adapter import get_adapter
from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.auth import LoginForm


class ResidentSignupForm(forms.Form):
    """Extra fields on allauth's sign-up form (phone and password come from allauth).

    The community is not a field: it comes from the QR link the person opened, and
    ResidentSignupView hands it in.
    """

    name = forms.CharField(label=_("Your name"), max_length=50,
                           widget=forms.TextInput(attrs={"autocomplete": "name"}))

    field_order = ["name", "phone", "password1", "password2"]

    def __init__(self, *args, community=None, **kwargs):
        self.community = community
        super().__init__(*args, **kwargs)

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError(_("Enter your name."), code="required")
        return name

    def signup(self, request, user):
        """Called by allauth right after the user is saved, inside the view's transaction."""
        from portal.estates.models import Resident

        if self.community is None:
            # The view refuses sign-up without a community; this is the last guard.
            raise ValueError("sign-up without a community")
        Resident.objects.create(user=user, community=self.community,
                                name=self.cleaned_data["name"])


class AdminLoginForm(LoginForm):
    """Wagtail's admin login, counted against the same failed-login limits as the
    residents' login (ACCOUNT_RATE_LIMITS["login_failed"]: per address and per
    username): a staff password opens every resident's data of a community, and
    Wagtail's own login would let anyone guess it without end."""

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is not None and password:
            self.user_cache = get_adapter(self.request).authenticate(
                self.request, username=username, password=password)
            if self.user_cache is None:
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data
