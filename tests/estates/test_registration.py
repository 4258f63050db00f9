"""Registration by community QR code: the link fixes the community, then allauth signs up."""

import time

import pytest
from django.core import signing
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from portal.accounts.models import User
from portal.estates.models import Resident
from portal.estates.registration import SALT, registration_path
from tests import factories as f

SIGNUP = "/accounts/signup/"


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    # allauth counts sign-ups per IP in the cache; every test starts afresh.
    cache.clear()


@pytest.fixture
def client():
    # The portal speaks Chinese by default; these tests read its source (English) strings.
    return Client(HTTP_ACCEPT_LANGUAGE="en")


def signup_data(**overrides):
    return {"name": "张秀英", "phone": "13912345678", "password1": "Lakeside-2026!",
            "password2": "Lakeside-2026!", **overrides}


def test_valid_link_opens_sign_up_for_its_community(client, community_a):
    response = client.get(registration_path(community_a))

    assert response.status_code == 302
    assert response["Location"] == SIGNUP
    page = client.get(SIGNUP)
    assert page.status_code == 200
    assert "阳光花园" in page.content.decode()


def test_sign_up_creates_a_resident_in_the_linked_community(client, community_a, community_b):
    client.get(registration_path(community_a))

    response = client.post(SIGNUP, signup_data())

    assert response.status_code == 302
    resident = Resident.objects.get(user__phone_index__isnull=False, name="张秀英")
    assert resident.community == community_a
    assert resident.phone == "13912345678"


def test_sign_up_logs_the_new_resident_in(client, community_a):
    client.get(registration_path(community_a))
    client.post(SIGNUP, signup_data())

    response = client.get(reverse("estates:me"))

    assert response.status_code == 200
    assert "139****5678" in response.content.decode()


def test_phone_typed_with_country_code_and_spaces_is_stored_normalised(client, community_a):
    client.get(registration_path(community_a))

    client.post(SIGNUP, signup_data(phone="+86 139 1234 5678"))

    assert User.find_by_phone("13912345678") is not None


def test_invalid_phone_is_refused_next_to_the_field_keeping_the_name(client, community_a):
    client.get(registration_path(community_a))

    response = client.post(SIGNUP, signup_data(phone="12345"))

    assert response.status_code == 200
    assert "11-digit" in str(response.context["form"].errors["phone"])
    assert 'value="张秀英"' in response.content.decode()
    assert not Resident.objects.exists()


def test_tampered_link_gets_a_clear_error_page(client, community_a):
    path = registration_path(community_a)
    tampered = path.replace(path.split("/")[-2], path.split("/")[-2][:-2] + "xx")

    response = client.get(tampered)

    assert response.status_code == 400
    assert "not valid" in response.content.decode()


def _token_issued_days_ago(community, days):
    class PastTimestampSigner(signing.TimestampSigner):
        def timestamp(self):
            return signing.b62_encode(int(time.time()) - days * 24 * 3600)

    return PastTimestampSigner(salt=SALT).sign_object(
        {"c": community.pk, "v": community.registration_version},
        serializer=signing.JSONSerializer, compress=False)


def test_expired_link_gets_a_clear_error_page(client, community_a, settings):
    settings.REGISTRATION_LINK_MAX_AGE = 30 * 24 * 3600
    token = _token_issued_days_ago(community_a, 31)

    response = client.get(reverse("estates:register", args=[token]))

    assert response.status_code == 400
    assert "expired" in response.content.decode()


def test_link_within_its_age_still_works(client, community_a, settings):
    settings.REGISTRATION_LINK_MAX_AGE = 30 * 24 * 3600
    token = _token_issued_days_ago(community_a, 29)

    response = client.get(reverse("estates:register", args=[token]))

    assert response.status_code == 302


def test_withdrawn_link_gets_a_clear_error_page(client, community_a):
    path = registration_path(community_a)
    community_a.registration_version += 1
    community_a.save()

    response = client.get(path)

    assert response.status_code == 400
    assert "withdrawn" in response.content.decode()


def test_link_of_a_closed_community_gets_a_clear_error_page(client, community_a):
    community_a.registration_open = False
    community_a.save()

    response = client.get(registration_path(community_a))

    assert response.status_code == 400
    assert "closed" in response.content.decode()


def test_sign_up_without_a_community_tells_to_scan_the_code(client, db):
    response = client.get(SIGNUP)

    assert response.status_code == 200
    assert "QR code" in response.content.decode()
    assert "form" not in response.context or response.context.get("form") is None


def test_sign_up_post_without_a_community_creates_nothing(client, db):
    client.post(SIGNUP, signup_data())

    assert not User.objects.filter(phone_index__isnull=False).exists()
    assert not Resident.objects.exists()


def test_link_withdrawn_after_scanning_refuses_the_sign_up(client, community_a):
    client.get(registration_path(community_a))
    community_a.registration_version += 1
    community_a.save()

    response = client.post(SIGNUP, signup_data())

    assert "QR code" in response.content.decode()
    assert not Resident.objects.exists()


def test_second_account_for_the_same_phone_gets_a_clear_message(client, community_a):
    f.ResidentFactory(community=community_a, user__phone="13912345678")
    client.get(registration_path(community_a))

    response = client.post(SIGNUP, signup_data(phone="139 1234 5678", name="李四"))

    assert response.status_code == 200
    assert "already has an account" in str(response.context["form"].errors["phone"])
    assert not Resident.objects.filter(name="李四").exists()


def test_logged_in_resident_opening_a_link_goes_to_their_page(client, resident, community_a):
    client.force_login(resident)

    response = client.get(registration_path(community_a))

    assert response["Location"] == reverse("estates:me")
