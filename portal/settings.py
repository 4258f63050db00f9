"""One settings module, configured by environment variables (see .env.example)."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name, default=None):
    return os.environ.get(name, default)


def envbool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {value!r}")


def envlist(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = envbool("DEBUG", False)
TESTING = envbool("PORTAL_TESTING", False)

SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    if not (DEBUG or TESTING):
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "insecure-development-key-do-not-use-in-production-0123456789"

# Personal data (phone and ID numbers) is encrypted with this key; losing or changing it
# makes that data unreadable, so production sets it explicitly and keeps it safe.
FIELD_ENCRYPTION_KEY = env("FIELD_ENCRYPTION_KEY")
if not FIELD_ENCRYPTION_KEY:
    if not (DEBUG or TESTING):
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEY must be set when DEBUG is off")
    FIELD_ENCRYPTION_KEY = SECRET_KEY

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG or TESTING else "")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "portal.accounts",
    "portal.estates",
    "portal.wechat",
    "portal.wechat.oauth",
    "portal.notifications",
    "portal.payments",
    "home",
    "notices",
    "services",
    "services.billing",
    "services.visitors",
    "merchants",
    "merchants.shop",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.table_block",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "django_tasks",
    "django_tasks_db",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # No models: its Chinese catalogue, for Wagtail's naturaltime ("现在", "1分钟之前").
    "django.contrib.humanize",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "portal.page_cache.SessionPageCacheMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "portal.wechat.middleware.SilentOpenIDMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.h5",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(env("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": REDIS_URL}}
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

# Residents stay logged in on their phone for two weeks; staff sessions in the admin end
# when the browser closes unless they tick "remember me" (Wagtail's login).
SESSION_COOKIE_AGE = int(timedelta(days=14).total_seconds())

# Seconds a logged-in resident's home page is kept per session (portal.page_cache); only
# with a cache shared by all processes, so off without REDIS_URL.
RESIDENT_PAGE_CACHE_SECONDS = int(env("RESIDENT_PAGE_CACHE_SECONDS", "300" if REDIS_URL else "0"))

TASKS = {
    "default": {
        "BACKEND": env("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "portal.accounts.backends.ProfileModelBackend",
    "portal.accounts.backends.ProfileAuthenticationBackend",
]

# django-allauth: residents log in with their mobile number and a password. Phone
# ownership is checked by staff against the directory (the requirements' 黑名单制), so no
# SMS verification step; an SMS backend can switch it on later.
ACCOUNT_ADAPTER = "portal.accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"phone"}
ACCOUNT_SIGNUP_FIELDS = ["phone*", "password1*", "password2*"]
ACCOUNT_PHONE_VERIFICATION_ENABLED = False
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_SIGNUP_FORM_CLASS = "portal.accounts.forms.ResidentSignupForm"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = True
# A second sign-up for a number is told plainly that the number has an account (the
# requirement); sign-up and login are rate-limited below.
ACCOUNT_PREVENT_ENUMERATION = False
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
}
# Login from inside WeChat (portal/wechat/oauth): the Official Account's web-page OAuth as
# an allauth provider. Its app credentials are the Official Account's (no SocialApp rows);
# a WeChat identity is linked to an account, never a way to sign up without the
# registration form.
SOCIALACCOUNT_ADAPTER = "portal.wechat.oauth.adapter.SocialAccountAdapter"
# The silent login is a redirect from a page: no confirmation page in between.
SOCIALACCOUNT_LOGIN_ON_GET = True
SOCIALACCOUNT_AUTO_SIGNUP = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_STORE_TOKENS = False
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"
ACCOUNT_LOGOUT_REDIRECT_URL = "/"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
# Our own strings first (makemessages writes to the first path); then Chinese for the
# strings Wagtail, django-filter and allauth ship untranslated in zh_Hans.
LOCALE_PATHS = [BASE_DIR / "portal" / "locale", BASE_DIR / "portal" / "library_locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", BASE_DIR / "static"))
STATICFILES_DIRS = [BASE_DIR / "portal" / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", BASE_DIR / "media"))
# Uploads that hold personal data and are never served (e.g. directory spreadsheets
# between preview and import): outside MEDIA_ROOT, which the web server publishes.
PRIVATE_ROOT = Path(env("PRIVATE_ROOT", BASE_DIR / "private"))
STORAGES = {
    # Wagtail's documents folder is kept under PRIVATE_ROOT (see portal/storage.py).
    "default": {"BACKEND": "portal.storage.MediaStorage",
                "OPTIONS": {"private_folders": ["documents"]}},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not (DEBUG or TESTING)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

WAGTAIL_SITE_NAME = env("PORTAL_NAME", "社区服务平台")
# Staff log in to the admin under the same failed-login limits as residents.
WAGTAILADMIN_USER_LOGIN_FORM = "portal.accounts.forms.AdminLoginForm"
WAGTAILADMIN_BASE_URL = env("PORTAL_BASE_URL", "http://127.0.0.1:8000")
WAGTAIL_I18N_ENABLED = False
# The merchant review publishes on its approvers' authority: see merchants/review.py.
WAGTAIL_FINISH_WORKFLOW_ACTION = "merchants.review.publish_reviewed"
WAGTAILADMIN_PERMITTED_LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
WAGTAIL_USER_TIME_ZONES = ["Asia/Shanghai"]
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILIMAGES_EXTENSIONS = ["gif", "jpg", "jpeg", "png", "webp"]
# Files attached to notices: documents, pictures and archives, never a page or a script.
# They are served on the portal's own address, where an .html or .svg "document" would
# run its script for whoever opened the link.
WAGTAILDOCS_EXTENSIONS = ["pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "wps", "et",
                          "dps", "txt", "jpg", "jpeg", "png", "zip", "rar"]
# Documents are served only through Wagtail's view, after the before_serve_document hook
# has checked who may have them (notices/document_access.py), never by a redirect to
# their file; the view's responses are marked private (no shared cache keeps them).
WAGTAILDOCS_SERVE_METHOD = "serve_view"
SENDFILE_BACKEND = "notices.document_access"

# How long the signed link behind a community's registration QR code stays valid.
REGISTRATION_LINK_MAX_AGE = int(timedelta(days=int(env("REGISTRATION_LINK_DAYS", "730")))
                                .total_seconds())

# Behind nginx, which terminates TLS and sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The proxies in front that append the client's address to X-Forwarded-For. The login
# and sign-up limits count per client address: behind nginx every request comes from
# nginx's address, and one person's failed logins would lock everyone out.
ALLAUTH_TRUSTED_PROXY_COUNT = int(env("TRUSTED_PROXY_COUNT", "0" if DEBUG or TESTING else "1"))
if not (DEBUG or TESTING):
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# WeChat Official Account (服务号). Accounts are set in the admin, one per community or
# one for the whole company; an account given here is added to the first company and kept
# in step with these variables. The base URLs point at WeChat; the demo and the tests
# point them at the local stub (python -m portal.wechat.stub).
WECHAT_APP_ID = env("WECHAT_APP_ID", "")
WECHAT_APP_SECRET = env("WECHAT_APP_SECRET", "")
WECHAT_TOKEN = env("WECHAT_TOKEN", "")
WECHAT_ENCODING_AES_KEY = env("WECHAT_ENCODING_AES_KEY", "")
WECHAT_API_BASE_URL = env("WECHAT_API_BASE_URL", "https://api.weixin.qq.com/")
WECHAT_OPEN_BASE_URL = env("WECHAT_OPEN_BASE_URL", "https://open.weixin.qq.com/")
WECHAT_MP_BASE_URL = env("WECHAT_MP_BASE_URL", "https://mp.weixin.qq.com/")
WECHAT_TIMEOUT_SECONDS = float(env("WECHAT_TIMEOUT_SECONDS", "5"))
SOCIALACCOUNT_REQUESTS_TIMEOUT = WECHAT_TIMEOUT_SECONDS
# The first page opened in WeChat sends a person who is not logged in through WeChat's
# silent login (portal/wechat/middleware.py). Needs the portal's domain registered as the
# account's web-page authorization domain (网页授权域名) at WeChat.
WECHAT_SILENT_LOGIN = envbool("WECHAT_SILENT_LOGIN", True)

# WeChat Pay v3 (直连商户, JSAPI) in "WeChat Pay public key" mode. Without all of the
# merchant's credentials the portal takes demo payments (portal/payments/providers), but
# only where PAYMENTS_SANDBOX allows them (below).
# Keys are PEM text, or read from the file the *_FILE variable names. The base URL points
# at WeChat Pay; the demo and the tests point it at the local stub
# (python -m portal.payments.stub). Notifications come back to WECHATPAY_NOTIFY_BASE_URL,
# the portal's public https address.
def _pem(name):
    path = env(f"{name}_FILE")
    if path:
        return Path(path).read_text()
    return env(name, "")


WECHATPAY_MCHID = env("WECHATPAY_MCHID", "")
WECHATPAY_APPID = env("WECHATPAY_APPID", WECHAT_APP_ID)
WECHATPAY_APIV3_KEY = env("WECHATPAY_APIV3_KEY", "")
WECHATPAY_CERT_SERIAL_NO = env("WECHATPAY_CERT_SERIAL_NO", "")
WECHATPAY_PRIVATE_KEY = _pem("WECHATPAY_PRIVATE_KEY")
WECHATPAY_PUBLIC_KEY = _pem("WECHATPAY_PUBLIC_KEY")
WECHATPAY_PUBLIC_KEY_ID = env("WECHATPAY_PUBLIC_KEY_ID", "")
WECHATPAY_BASE_URL = env("WECHATPAY_BASE_URL", "https://api.mch.weixin.qq.com")
WECHATPAY_NOTIFY_BASE_URL = env("WECHATPAY_NOTIFY_BASE_URL", "")
WECHATPAY_TIMEOUT_SECONDS = float(env("WECHATPAY_TIMEOUT_SECONDS", "5"))
# Demo payments complete without any money moving: for the first run, demos and tests.
# A production portal missing one credential would have offered every resident a
# "pay (demo)" button that marks bills paid, so without them it does not start.
PAYMENTS_SANDBOX = envbool("PAYMENTS_SANDBOX", DEBUG or TESTING)
# The merchant's credentials: with all of them the portal pays through WeChat Pay
# (portal/payments/providers).
WECHATPAY_CREDENTIALS = (
    "WECHATPAY_MCHID", "WECHATPAY_APPID", "WECHATPAY_APIV3_KEY", "WECHATPAY_PRIVATE_KEY",
    "WECHATPAY_CERT_SERIAL_NO", "WECHATPAY_PUBLIC_KEY", "WECHATPAY_PUBLIC_KEY_ID")
_WECHATPAY_MISSING = [name for name in WECHATPAY_CREDENTIALS if not globals()[name]]
if _WECHATPAY_MISSING and not PAYMENTS_SANDBOX:
    raise ImproperlyConfigured(
        "WeChat Pay needs " + ", ".join(_WECHATPAY_MISSING) + " when DEBUG is off "
        "(PAYMENTS_SANDBOX=1 runs a demo whose payments move no money)")
# Unpaid orders close after this; a pending order whose notification has not come this
# long after it went to WeChat Pay is looked up there.
PAYMENTS_ORDER_MINUTES = int(env("PAYMENTS_ORDER_MINUTES", "30"))
PAYMENTS_QUERY_AFTER_MINUTES = int(env("PAYMENTS_QUERY_AFTER_MINUTES", "5"))

# Text messages for people who do not follow the account. The console backend writes
# them (masked) to the log; a provider's backend is a dotted path to a class.
SMS_BACKEND = env("SMS_BACKEND", "portal.notifications.sms.ConsoleSMSBackend")

EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "noreply@localhost")
# Used by the SMTP backend (EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend).
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("EMAIL_PORT", "25"))
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = envbool("EMAIL_USE_SSL", False)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"django.request": {"level": "WARNING"}},
}
