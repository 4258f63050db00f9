"""The community's printable registration QR code and withdrawing printed codes."""

import pytest
from django.conf import settings
from django.urls import reverse
from wagtail.models import ModelLogEntry

from portal.estates.registration import RegistrationLinkError, community_from_token

pytestmark = pytest.mark.django_db


def _poster(client, community):
    return client.get(reverse("community:registration-code", args=[community.pk]))


def test_poster_shows_the_community_and_an_inline_qr_code(client, manager_a, community_a):
    client.force_login(manager_a)
    content = _poster(client, community_a).content.decode()
    assert community_a.name in content
    assert "<svg" in content


def test_poster_encodes_an_absolute_registration_link_that_works(client, records_a,
                                                                 community_a):
    client.force_login(records_a)
    url = _poster(client, community_a).context["registration_url"]
    assert url.startswith(settings.WAGTAILADMIN_BASE_URL)
    token = url.rstrip("/").rsplit("/", 1)[-1]
    assert community_from_token(token) == community_a


@pytest.mark.parametrize("persona", ["service_a", "leadership"])
def test_roles_without_the_permission_cannot_print(client, request, persona, community_a):
    client.force_login(request.getfixturevalue(persona))
    assert _poster(client, community_a).url == reverse("wagtailadmin_home")


def test_community_listing_links_to_the_poster(client, manager_a, community_a):
    client.force_login(manager_a)
    content = client.get(reverse("community:index")).content.decode()
    assert reverse("community:registration-code", args=[community_a.pk]) in content


def test_withdrawing_invalidates_the_printed_codes(client, manager_a, community_a):
    client.force_login(manager_a)
    old_token = _poster(client, community_a).context["registration_url"].rstrip("/").rsplit(
        "/", 1)[-1]
    client.post(reverse("community:withdraw-codes", args=[community_a.pk]), {"reason": "泄露"})
    with pytest.raises(RegistrationLinkError):
        community_from_token(old_token)


def test_withdrawing_is_in_the_audit_log(client, manager_a, community_a):
    client.force_login(manager_a)
    client.post(reverse("community:withdraw-codes", args=[community_a.pk]), {"reason": "泄露"})
    entry = ModelLogEntry.objects.get(action="estates.community.withdraw_codes")
    assert (entry.user, entry.object_id) == (manager_a, str(community_a.pk))


def test_a_new_poster_works_after_withdrawing(client, manager_a, community_a):
    client.force_login(manager_a)
    client.post(reverse("community:withdraw-codes", args=[community_a.pk]), {"reason": ""})
    url = _poster(client, community_a).context["registration_url"]
    assert community_from_token(url.rstrip("/").rsplit("/", 1)[-1]) == community_a
