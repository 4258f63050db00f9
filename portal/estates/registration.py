"""Signed registration links behind each community's QR poster.

The link carries the community and the registration version, signed with SECRET_KEY and
stamped with its issue time: a tampered link fails the signature, an old one expires
after REGISTRATION_LINK_MAX_AGE, and raising the community's registration_version
withdraws every poster printed before.
"""

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

SALT = "estates.registration"


class RegistrationLinkError(Exception):
    """Why a registration link cannot be used, in words for the person holding it."""


def registration_token(community):
    return signing.dumps({"c": community.pk, "v": community.registration_version}, salt=SALT)


def registration_path(community):
    return reverse("estates:register", args=[registration_token(community)])


def community_from_token(token):
    from .models import Community

    try:
        payload = signing.loads(token, salt=SALT, max_age=settings.REGISTRATION_LINK_MAX_AGE)
    except signing.SignatureExpired as error:
        raise RegistrationLinkError(
            _("This registration code has expired. Ask the property office for a new one.")
        ) from error
    except signing.BadSignature as error:
        raise RegistrationLinkError(
            _("This registration link is not valid. Scan the QR code again.")
        ) from error
    community = Community.objects.filter(pk=payload.get("c")).first()
    if community is None or payload.get("v") != community.registration_version:
        raise RegistrationLinkError(
            _("This registration code has been withdrawn. Ask the property office for a new one.")
        )
    if not community.registration_open:
        raise RegistrationLinkError(_("Registration for this community is closed."))
    return community
