from allauth.account.adapter import get_adapter
from allauth.account.views import SignupView
from django.db import IntegrityError, transaction

from .registration import forget_registration, registration_community, signup_initial


class ResidentSignupView(SignupView):
    """allauth's sign-up, for the community fixed by the QR link the person opened.

    Without such a link the adapter closes sign-up (account/signup_closed.html tells the
    person to scan their community's code), so no account exists without a community.
    """

    def dispatch(self, request, *args, **kwargs):
        self.community = registration_community(request)
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        return {**super().get_initial(), **signup_initial(self.request)}

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "community": self.community}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "community": self.community}

    def form_valid(self, form):
        # The user, their phone and their Resident profile are saved together or not at all.
        try:
            with transaction.atomic():
                response = super().form_valid(form)
        except IntegrityError:
            # Two sign-ups for the same number at the same moment: the database's unique
            # phone index let only one through.
            form.add_error("phone", get_adapter(self.request).error_messages["phone_taken"])
            return self.form_invalid(form)
        forget_registration(self.request)
        return response
