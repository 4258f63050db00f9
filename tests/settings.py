"""Test settings: the real settings with fast password hashing and immediate tasks."""

import os

os.environ.setdefault("PORTAL_TESTING", "1")

from portal.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
MEDIA_ROOT = BASE_DIR / "test-artifacts" / "media"  # noqa: F405

PRIVATE_ROOT = BASE_DIR / "test-artifacts" / "private"  # noqa: F405
# Serve static files from the apps, as runserver does: tests never run collectstatic.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
