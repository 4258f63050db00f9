"""Failed logins are limited per mobile number and per client address. Each number has
its own count: one resident's typos, or someone guessing one number, never lock out
the other residents."""

from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from tests.factories import PASSWORD

LOGIN = reverse("account_login")
TOO_MANY = "Too many failed login attempts"


def log_in(client, phone, password, address="10.0.0.1"):
    return client.post(LOGIN, {"login": phone, "password": password}, REMOTE_ADDR=address)


def test_five_failures_for_one_number_do_not_lock_out_another(client, resident, neighbour):
    for _attempt in range(5):
        log_in(client, resident.phone, "guess", address="10.0.0.1")

    response = log_in(client, neighbour.phone, PASSWORD, address="10.0.0.2")

    assert TOO_MANY not in response.content.decode()
    assert client.session[SESSION_KEY] == str(neighbour.pk)


def test_a_guessed_number_is_closed_after_five_failures(client, resident):
    for _attempt in range(5):
        log_in(client, resident.phone, "guess", address="10.0.0.1")

    response = log_in(client, resident.phone, PASSWORD, address="10.0.0.2")

    assert TOO_MANY in response.content.decode()
    assert SESSION_KEY not in client.session


def test_the_number_counts_however_it_is_typed(client, resident):
    phone = resident.phone
    for typed in (phone, f"+86 {phone}", f"{phone[:3]} {phone[3:7]} {phone[7:]}",
                  f"0086{phone}", f"+86-{phone}"):
        log_in(client, typed, "guess", address="10.0.0.1")

    response = log_in(client, phone, PASSWORD, address="10.0.0.2")

    assert TOO_MANY in response.content.decode()
