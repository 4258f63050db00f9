"""Staff log in to the admin with a username and password; guessing that password is
held to the same failed-login limits as the residents' login: five failures for a
username in five minutes, ten from one address in a minute. A correct login does not
count, so a colleague's typo does not lock anyone out."""

from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from tests.factories import PASSWORD

LOGIN = reverse("wagtailadmin_login")
TOO_MANY = "Too many failed login attempts"


def log_in(client, username, password):
    return client.post(LOGIN, {"username": username, "password": password})


def test_after_five_wrong_passwords_even_the_right_one_is_refused(client, manager_a):
    for _attempt in range(5):
        response = log_in(client, manager_a.username, "guess")
        assert TOO_MANY not in response.content.decode()

    response = log_in(client, manager_a.username, PASSWORD)

    assert SESSION_KEY not in client.session
    assert TOO_MANY in response.content.decode()


def test_one_address_guessing_many_usernames_is_stopped(client, manager_a):
    for number in range(10):
        log_in(client, f"someone-{number}", "guess")

    response = log_in(client, manager_a.username, PASSWORD)

    assert SESSION_KEY not in client.session
    assert TOO_MANY in response.content.decode()


def test_a_few_typos_do_not_keep_the_right_password_out(client, manager_a):
    for _attempt in range(4):
        log_in(client, manager_a.username, "typo")

    response = log_in(client, manager_a.username, PASSWORD)

    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(manager_a.pk)


def test_a_wrong_password_still_gets_wagtails_message(client, manager_a):
    response = log_in(client, manager_a.username, "guess")

    assert SESSION_KEY not in client.session
    assert "didn&#x27;t match" in response.content.decode()
