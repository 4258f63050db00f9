"""Text messages for people who cannot be reached on WeChat.

A backend is a class with ``send(phone, text)`` that returns the provider's message id
(or "") and raises SMSError when the provider refuses the message for good; any other
exception counts as a passing failure and the message is tried again later. Which
backend: settings.SMS_BACKEND, a dotted path. The console backend only writes to the log,
with the number masked (a full mobile number never goes to a log) and the text only
with DEBUG on.
"""

import logging

from django.conf import settings
from django.utils.module_loading import import_string

from portal.crypto import mask_phone

logger = logging.getLogger(__name__)


class SMSError(Exception):
    """The provider refused the message; sending it again would not help."""

    def __init__(self, message, code=None):
        super().__init__(message)
        self.code = code


class BaseSMSBackend:
    def send(self, phone, text):
        raise NotImplementedError


class ConsoleSMSBackend(BaseSMSBackend):
    """Development and demos: the message goes to the log instead of a phone. It is also
    the backend of a deployment without an SMS provider, where the texts (a worker's
    number, a house, an amount owed) must stay out of the log: there only its length is
    written."""

    def send(self, phone, text):
        if settings.DEBUG:
            logger.info("SMS to %s: %s", mask_phone(phone), text)
        else:
            logger.info("SMS to %s not sent (no SMS provider): %d characters",
                        mask_phone(phone), len(text))
        return ""


def get_backend():
    return import_string(settings.SMS_BACKEND)()
