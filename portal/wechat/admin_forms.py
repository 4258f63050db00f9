"""Forms of the WeChat admin screens: official accounts (with write-only secrets),
auto-replies and menus."""

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from portal.estates.scope import sees_whole_company
from portal.estates.viewsets import ScopedModelForm

from .models import AutoReply, Menu, OfficialAccount

# WeChat's formats: an AppID is "wx" and 16 hexadecimal digits; the AppSecret 32
# letters or digits; the token (令牌) 3 to 32 letters or digits; the EncodingAESKey
# (消息加解密密钥) 43 characters of the base64 alphabet.
APPID = RegexValidator(r"^wx[0-9a-f]{16}\Z",
                       _("An AppID is “wx” followed by 16 digits or letters a–f."))
APP_SECRET = RegexValidator(r"^[0-9A-Za-z]{32}\Z",
                            _("The AppSecret is 32 letters or digits."))
TOKEN = RegexValidator(r"^[0-9A-Za-z]{3,32}\Z",
                       _("The token is 3 to 32 letters or digits."))
ENCODING_AES_KEY = RegexValidator(r"^[0-9A-Za-z+/]{43}\Z",
                                  _("The EncodingAESKey is exactly 43 letters or digits."))


def _secret_field(label, validator):
    return forms.CharField(
        label=label, required=False, strip=True, validators=[validator],
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )


class CompanyOwnedForm(ScopedModelForm):
    """A row of one company with an optional community (empty: every community of the
    company). Staff work in their own company; superusers, who have none, choose it when
    creating. Only staff who see the whole company may leave the community empty."""

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        self.acting_user = for_user
        staff = getattr(for_user, "staff", None)
        if staff is not None or self.instance.pk:
            del self.fields["company"]
            if not self.instance.pk:
                self.instance.company = staff.company
        if sees_whole_company(for_user):
            self.fields["community"].empty_label = _("All communities")
        else:
            self.fields["community"].required = True
            self.fields["community"].help_text = ""

    def clean(self):
        cleaned_data = super().clean()
        community = cleaned_data.get("community")
        company_id = (cleaned_data["company"].pk if cleaned_data.get("company")
                      else self.instance.company_id)
        if community is not None and company_id and community.company_id != company_id:
            self.add_error("community", _("This community belongs to another company."))
        return cleaned_data


class OfficialAccountForm(CompanyOwnedForm):
    """The secrets are write-only: never put back into the page, kept when left empty.
    An account configured by environment variables keeps them there."""

    secret_fields = ("secret", "token", "encoding_aes_key")

    secret = _secret_field(_("AppSecret"), APP_SECRET)
    token = _secret_field(_("token"), TOKEN)
    encoding_aes_key = _secret_field(_("EncodingAESKey"), ENCODING_AES_KEY)

    class Meta:
        model = OfficialAccount
        fields = ["company", "community", "name", "original_id", "appid", "secret", "token",
                  "encoding_aes_key", "message_mode", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        account = self.instance
        self.fields["appid"].validators.append(APPID)
        if account.pk:
            self.fields["appid"].help_text = _(
                "Server address (URL) to enter on the WeChat platform: %(url)s"
            ) % {"url": account.callback_url()}
        for name in self.secret_fields:
            field = self.fields[name]
            self.initial[name] = ""
            is_set = bool(getattr(account, name))
            if account.from_environment:
                field.disabled = True
                field.help_text = (_("Set in the environment.") if is_set
                                   else _("Not set in the environment."))
            elif is_set:
                field.help_text = _("Set. Leave empty to keep it.")
            else:
                field.help_text = _("Not set.")
        if account.from_environment:
            self.fields["appid"].disabled = True

    def clean(self):
        cleaned_data = super().clean()
        for name in self.secret_fields:
            if not cleaned_data.get(name) and name not in self.errors:
                cleaned_data[name] = getattr(self.instance, name)
        if not self.instance.from_environment:
            self._require_secrets(cleaned_data)
        return cleaned_data

    def _require_secrets(self, cleaned_data):
        missing = {
            "secret": _("WeChat's API (menu, QR codes, notifications) needs the AppSecret."),
            "token": _("WeChat signs its messages with the token."),
        }
        if cleaned_data.get("message_mode") != OfficialAccount.MessageMode.PLAIN:
            missing["encoding_aes_key"] = _(
                "Compatible and safe mode encrypt messages with the EncodingAESKey.")
        for name, message in missing.items():
            if not cleaned_data.get(name) and name not in self.errors:
                self.add_error(name, message)


class AutoReplyForm(CompanyOwnedForm):
    class Meta:
        model = AutoReply
        fields = ["company", "community", "match", "keyword", "kind", "text", "page", "title",
                  "description", "image", "priority", "is_active"]

    def clean(self):
        cleaned_data = super().clean()
        page = cleaned_data.get("page")
        if page is not None and "community" not in self.errors:
            community = cleaned_data.get("community")
            if not AutoReply.page_is_within_reach(page, community):
                self.add_error("page", _("Choose a page of this community's site.")
                               if community else _("Choose a page of the portal."))
        return cleaned_data


class MenuForm(ScopedModelForm):
    class Meta:
        model = Menu
        fields = ["account", "buttons"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # A menu belongs to its account for good.
            del self.fields["account"]
        else:
            self.fields["account"].queryset = self.fields["account"].queryset.filter(
                menu__isnull=True)
