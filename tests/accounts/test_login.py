"""Residents log in with their mobile number and password; the account pages."""

from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from tests.factories import PASSWORD

LOGIN = reverse("account_login")


def test_resident_logs_in_with_phone_and_password(client, resident):
    response = client.post(LOGIN, {"login": resident.phone, "password": PASSWORD})

    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(resident.pk)


def test_phone_may_be_typed_with_country_code_and_spaces(client, resident):
    typed = f"+86 {resident.phone[:3]} {resident.phone[3:7]} {resident.phone[7:]}"

    client.post(LOGIN, {"login": typed, "password": PASSWORD})

    assert client.session[SESSION_KEY] == str(resident.pk)


def test_wrong_password_gets_a_clear_message_and_keeps_the_phone(client, resident):
    response = client.post(LOGIN, {"login": resident.phone, "password": "wrong-password"})

    assert SESSION_KEY not in client.session
    page = response.content.decode()
    assert "The mobile number or the password is not correct" in page
    assert f'value="{resident.phone}"' in page


def test_disabled_account_is_logged_out_on_its_next_request(client, resident, manager_a):
    client.post(LOGIN, {"login": resident.phone, "password": PASSWORD})
    assert client.get(reverse("estates:me")).status_code == 200

    resident.resident.disable(by=manager_a)

    response = client.get(reverse("estates:me"))
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_disabled_account_cannot_log_in(client, resident, manager_a):
    resident.resident.disable(by=manager_a)

    client.post(LOGIN, {"login": resident.phone, "password": PASSWORD})

    assert SESSION_KEY not in client.session


def test_password_reset_tells_phone_only_residents_to_ask_the_property_office(client, db):
    page = client.get(reverse("account_reset_password")).content.decode()

    assert 'id="reset-by-office"' in page
    assert "property office" in page


def test_login_page_points_newcomers_to_their_communitys_qr_code(client, db):
    page = client.get(LOGIN).content.decode()

    assert "registration QR code" in page
    assert reverse("account_reset_password") in page


def test_account_pages_render_in_the_h5_shell(client, resident):
    client.force_login(resident)
    for name in ("account_change_password", "account_logout"):
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        assert "weui.min.css" in response.content.decode(), name


def test_logging_out(client, resident):
    client.force_login(resident)

    client.post(reverse("account_logout"))

    assert SESSION_KEY not in client.session
