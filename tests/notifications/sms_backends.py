"""SMS backends in trouble, chosen through settings.SMS_BACKEND."""

from portal.notifications.sms import BaseSMSBackend, SMSError


class BrokenBackend(BaseSMSBackend):
    """The provider cannot be reached."""

    def send(self, phone, text):
        raise ConnectionResetError("provider hung up")


class RefusingBackend(BaseSMSBackend):
    """The provider refuses the message for good (e.g. the number is blacklisted)."""

    def send(self, phone, text):
        raise SMSError("number in blacklist", code=1008)
