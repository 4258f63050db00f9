"""django-allauth wired to our users: residents sign up and log in by mobile number."""

import uuid

from allauth.account.adapter import DefaultAccountAdapter
from django.utils.translation import gettext_lazy as _

from portal.crypto import blind_index

from .phone import MobileField


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "phone_taken": _(
            "This mobile number already has an account. Log in, or reset the password."
        ),
        "phone_password_mismatch": _("The mobile number or the password is not correct."),
    }

    def is_open_for_signup(self, request):
        # Residents sign up only through their community's QR link, which fixes the
        # community their account belongs to.
        from .registration import registration_community

        return registration_community(request) is not None

    def phone_form_field(self, **kwargs):
        kwargs["label"] = _("Mobile number")
        return MobileField(**kwargs)

    def populate_username(self, request, user):
        # Residents never see or type a username; it only has to be unique.
        if not user.username:
            user.username = f"r-{uuid.uuid4().hex[:20]}"

    def set_phone(self, user, phone, verified):
        user.phone = phone
        user.save(update_fields=["phone", "phone_index"])

    def get_phone(self, user):
        # Ownership of the number is checked by staff against the directory.
        return (user.phone, True) if user.phone else None

    def set_phone_verified(self, user, phone):
        pass

    def get_user_by_phone(self, phone):
        from .models import User

        return User.find_by_phone(phone)

    def _get_login_attempts_cache_key(self, request, **credentials):
        # allauth counts failed logins per email or username; residents log in by phone,
        # which it would count under one key shared by all of them: five typos anywhere
        # would lock every resident out, and no number would have a limit of its own.
        # The keyed hash keeps the number out of the cache.
        phone = credentials.get("phone")
        if phone:
            return f"phone:{blind_index(phone)}"
        return super()._get_login_attempts_cache_key(request, **credentials)

    def send_verification_code_sms(self, user, phone, code, **kwargs):
        raise NotImplementedError("phone verification by SMS is switched off")
