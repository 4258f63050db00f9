"""The elder-friendly large-text switch: a cookie set by a plain form POST."""

from django.urls import reverse

SWITCH = reverse("large_font")


def test_switching_large_text_on_sets_the_cookie_and_returns_to_the_page(client, db):
    response = client.post(SWITCH, {"large_font": "1", "next": "/accounts/login/"})

    assert response["Location"] == "/accounts/login/"
    assert response.cookies["large_font"].value == "1"
    assert response.cookies["large_font"]["max-age"] > 3600 * 24 * 300


def test_pages_are_in_large_text_while_the_cookie_says_so(client, db):
    client.post(SWITCH, {"large_font": "1", "next": "/"})

    page = client.get("/accounts/login/").content.decode()

    assert '<html lang="en" class="large-font">' in page
    assert "Normal text" in page


def test_switching_back_to_normal_text(client, db):
    client.post(SWITCH, {"large_font": "1", "next": "/"})
    client.post(SWITCH, {"large_font": "0", "next": "/"})

    page = client.get("/accounts/login/").content.decode()

    assert 'class="large-font"' not in page
    assert "Large text" in page


def test_switch_does_not_redirect_to_another_site(client, db):
    response = client.post(SWITCH, {"large_font": "1", "next": "https://evil.example/"})

    assert response["Location"] == "/"


def test_switch_only_accepts_post(client, db):
    assert client.get(SWITCH).status_code == 405
