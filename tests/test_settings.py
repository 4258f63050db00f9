"""portal/settings.py: safe in production, configured only by the environment.

Settings are read once per process, so each configuration is tried in a fresh Python
process started with exactly the environment under test.
"""

import json
import os
import re
import secrets
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from portal.settings import envbool

ROOT = Path(__file__).resolve().parent.parent
# Variables the settings read: none of the caller's own may leak into a test's process.
SETTINGS_VARIABLES = {
    "DEBUG", "PORTAL_TESTING", "SECRET_KEY", "FIELD_ENCRYPTION_KEY", "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS", "DATABASE_URL", "DB_CONN_MAX_AGE", "REDIS_URL", "TASKS_BACKEND",
    "STATIC_ROOT", "MEDIA_ROOT", "PORTAL_NAME", "PORTAL_BASE_URL", "REGISTRATION_LINK_DAYS",
    "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_PRELOAD", "LOG_LEVEL",
    "EMAIL_BACKEND", "DEFAULT_FROM_EMAIL", "PAYMENTS_SANDBOX",
}
REDIS_URL = "redis://127.0.0.1:6379/15"


# A merchant's WeChat Pay credentials, as production has them (read, not used, at start).
WECHATPAY = {"WECHATPAY_MCHID": "1900000001", "WECHATPAY_APPID": "wx0000000000000001",
             "WECHATPAY_APIV3_KEY": "0" * 32, "WECHATPAY_CERT_SERIAL_NO": "SERIAL",
             "WECHATPAY_PRIVATE_KEY": "PEM", "WECHATPAY_PUBLIC_KEY": "PEM",
             "WECHATPAY_PUBLIC_KEY_ID": "PUB_KEY_ID_0000000001"}


def production_environment(**overrides):
    return {"DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(50),
            "FIELD_ENCRYPTION_KEY": secrets.token_urlsafe(32),
            "ALLOWED_HOSTS": "example.com", **WECHATPAY, **overrides}


def run(args, **environment):
    env = {name: value for name, value in os.environ.items()
           if name not in SETTINGS_VARIABLES
           and not name.startswith(("EMAIL_", "SECURE_", "WECHATPAY_"))}
    env.update(environment, DJANGO_SETTINGS_MODULE="portal.settings")
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)


def run_django(code, **environment):
    """Run code after django.setup() in a fresh process; return what it prints as JSON."""
    result = run(["-c", f"import django, json\ndjango.setup()\n{code}"], **environment)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


SHOW_CACHE_AND_SESSIONS = """
from django.conf import settings
print(json.dumps([settings.CACHES["default"]["BACKEND"],
                  settings.CACHES["default"].get("LOCATION", ""), settings.SESSION_ENGINE]))
"""


def test_deploy_check_reports_no_issues_in_production():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                 **production_environment())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    environment = production_environment()
    del environment["SECRET_KEY"]
    result = run(["manage.py", "check"], **environment)
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_production_refuses_to_start_without_a_field_encryption_key():
    environment = production_environment()
    del environment["FIELD_ENCRYPTION_KEY"]
    result = run(["manage.py", "check"], **environment)
    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEY must be set when DEBUG is off" in result.stderr


def test_production_refuses_to_start_without_wechat_pay():
    environment = production_environment()
    del environment["WECHATPAY_APIV3_KEY"]
    result = run(["manage.py", "check"], **environment)
    assert result.returncode != 0
    assert "WeChat Pay needs WECHATPAY_APIV3_KEY when DEBUG is off" in result.stderr


def test_production_takes_demo_payments_only_when_told():
    environment = {name: value for name, value in production_environment().items()
                   if not name.startswith("WECHATPAY_")}
    result = run(["manage.py", "check"], **environment)
    assert result.returncode != 0 and "PAYMENTS_SANDBOX=1 runs a demo" in result.stderr
    show = ("from portal.payments.providers import get_provider\n"
            "print(json.dumps(get_provider().is_sandbox))")
    assert run_django(show, **environment, PAYMENTS_SANDBOX="1") is True


def test_with_every_credential_production_pays_through_wechat_pay():
    show = ("from portal.payments.providers import wechatpay_configured\n"
            "print(json.dumps(wechatpay_configured()))")
    assert run_django(show, **production_environment()) is True


def test_a_debug_value_that_is_not_a_boolean_stops_the_start():
    result = run(["manage.py", "check"], **production_environment(DEBUG="maybe"))
    assert result.returncode != 0
    assert "DEBUG must be a boolean" in result.stderr


@pytest.mark.parametrize("value", ["1", "true", "True", "yes", "on"])
def test_envbool_reads_true(monkeypatch, value):
    monkeypatch.setenv("PORTAL_FLAG", value)
    assert envbool("PORTAL_FLAG") is True


@pytest.mark.parametrize("value", ["0", "false", "False", "no", "off"])
def test_envbool_reads_false(monkeypatch, value):
    monkeypatch.setenv("PORTAL_FLAG", value)
    assert envbool("PORTAL_FLAG", default=True) is False


@pytest.mark.parametrize("value", ["maybe", "2", "y", "enabled", " 1"])
def test_envbool_refuses_anything_else(monkeypatch, value):
    monkeypatch.setenv("PORTAL_FLAG", value)
    with pytest.raises(ImproperlyConfigured, match="PORTAL_FLAG must be a boolean"):
        envbool("PORTAL_FLAG")


def test_envbool_falls_back_to_the_default_when_unset(monkeypatch):
    monkeypatch.delenv("PORTAL_FLAG", raising=False)
    assert envbool("PORTAL_FLAG", default=True) is True


def test_with_redis_url_cache_and_sessions_use_redis():
    backend, location, sessions = run_django(
        SHOW_CACHE_AND_SESSIONS, **production_environment(REDIS_URL=REDIS_URL))
    assert backend == "django.core.cache.backends.redis.RedisCache"
    assert location == REDIS_URL
    assert sessions == "django.contrib.sessions.backends.cache"


def test_without_redis_url_local_memory_cache_and_database_sessions():
    backend, _, sessions = run_django(SHOW_CACHE_AND_SESSIONS, **production_environment())
    assert backend == "django.core.cache.backends.locmem.LocMemCache"
    assert sessions == "django.contrib.sessions.backends.db"


def redis_reachable():
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


needs_redis = pytest.mark.skipif(
    not redis_reachable(), reason="no Redis server listening on 127.0.0.1:6379")


@needs_redis
def test_cache_round_trip_through_redis():
    key = f"portal-test-{uuid.uuid4().hex}"
    value = run_django(f"""
from django.core.cache import cache
cache.set({key!r}, {{"phone": "masked"}}, 30)
print(json.dumps(cache.get({key!r})))
cache.delete({key!r})
""", **production_environment(REDIS_URL=REDIS_URL))
    assert value == {"phone": "masked"}


@needs_redis
def test_a_session_saved_by_one_process_is_read_by_another_through_redis():
    environment = production_environment(REDIS_URL=REDIS_URL)
    session_key = run_django("""
from django.contrib.sessions.backends.cache import SessionStore
session = SessionStore()
session["community"] = 7
session.create()
print(json.dumps(session.session_key))
""", **environment)
    community = run_django(f"""
from django.contrib.sessions.backends.cache import SessionStore
session = SessionStore({session_key!r})
print(json.dumps(session.get("community")))
session.delete()
""", **environment)
    assert community == 7


def test_env_example_documents_every_variable_the_settings_read():
    source = (ROOT / "portal" / "settings.py").read_text()
    read = set(re.findall(r"\benv(?:bool|list)?\(\s*\"([A-Z_]+)\"", source))
    documented = set(re.findall(r"^#? ?([A-Z_]+)=", (ROOT / ".env.example").read_text(),
                                re.MULTILINE))
    assert read, "no variables found: the pattern no longer matches settings.py"
    assert read - documented == set()
