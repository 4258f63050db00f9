"""Residents stay logged in on their phone; staff admin sessions end with the browser."""

from django.conf import settings

from tests.factories import PASSWORD


def test_staff_admin_session_ends_when_the_browser_closes(client, service_a):
    client.post("/admin/login/", {"username": service_a.username, "password": PASSWORD})
    assert client.session.get("_auth_user_id") == str(service_a.pk)
    assert client.session.get_expire_at_browser_close()


def test_resident_session_lasts_two_weeks(client, resident):
    response = client.post("/accounts/login/", {"login": resident.phone, "password": PASSWORD})
    assert response.status_code == 302
    assert not client.session.get_expire_at_browser_close()
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE == 14 * 24 * 3600
