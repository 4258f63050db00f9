"""The login and sign-up limits count per client address. In production the portal runs
behind nginx (README), so the client's address is the one nginx appends to
X-Forwarded-For, not nginx's own: otherwise every resident would share one count."""

from tests.test_settings import production_environment, run_django

SHOW_PROXY_COUNT = """
from django.conf import settings
from allauth import app_settings
print(json.dumps(app_settings.TRUSTED_PROXY_COUNT))
"""


def test_production_takes_the_address_the_proxy_in_front_appended():
    assert run_django(SHOW_PROXY_COUNT, **production_environment()) == 1


def test_the_number_of_proxies_is_a_setting():
    assert run_django(SHOW_PROXY_COUNT, **production_environment(TRUSTED_PROXY_COUNT="2")) == 2


def test_development_without_a_proxy_takes_the_connections_address():
    assert run_django(SHOW_PROXY_COUNT, DEBUG="1") == 0
