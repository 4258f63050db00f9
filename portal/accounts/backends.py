"""Authentication backends that load the user together with their profile.

Every request asks who the user is and then whether they are a resident or staff (the
data-permission choke point does); loading both profiles with the user in one query
saves two or three queries on every page.
"""

from allauth.account.auth_backends import AuthenticationBackend
from django.contrib.auth.backends import ModelBackend

PROFILES = ("resident__community", "staff")


class _WithProfiles:
    def get_user(self, user_id):
        from .models import User

        # A slice, not first(): first() orders by pk, and compiling that ordering costs
        # a third of this query's time on every request.
        found = User.objects.select_related(*PROFILES).filter(pk=user_id)[:1]
        user = next(iter(found), None)
        return user if user is not None and self.user_can_authenticate(user) else None


class ProfileModelBackend(_WithProfiles, ModelBackend):
    """Staff log in to the admin with their username."""


class ProfileAuthenticationBackend(_WithProfiles, AuthenticationBackend):
    """Residents log in with their mobile number (django-allauth)."""
