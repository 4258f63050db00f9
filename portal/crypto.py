"""Personal data at rest: encrypted fields, a keyed hash for exact look-ups, masking.

Phone and ID numbers are stored encrypted (Fernet: AES-128-CBC + HMAC, a fresh IV each
time), so the database and its backups never hold them in clear. Because encryption is
randomised, equality look-ups and uniqueness use a separate keyed hash (HMAC-SHA256,
"blind index") of the normalised value.
"""

import base64
import hashlib
import hmac
from functools import cache

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import models


def _derive(purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(
        settings.FIELD_ENCRYPTION_KEY.encode()
    )


@cache
def _fernet() -> Fernet:
    return Fernet(base64.urlsafe_b64encode(_derive(b"portal field encryption")))


@cache
def _index_key() -> bytes:
    return _derive(b"portal blind index")


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as error:
        raise ValueError("encrypted value cannot be read with the configured key") from error


def blind_index(value: str) -> str:
    """A keyed hash of the value: equal values give equal hashes, nothing can be reversed."""
    return hmac.new(_index_key(), value.encode(), hashlib.sha256).hexdigest()


class EncryptedCharField(models.TextField):
    """A string kept encrypted in the database and clear in Python."""

    description = "Encrypted string"

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(value)

    def get_lookup(self, lookup_name):
        # Ciphertext cannot be compared: only isnull makes sense in the database.
        if lookup_name != "isnull":
            return None
        return super().get_lookup(lookup_name)


def mask_phone(phone: str) -> str:
    """138****8000: enough to recognise a number, not enough to call it."""
    if not phone:
        return ""
    if len(phone) < 7:
        return "*" * len(phone)
    return f"{phone[:3]}****{phone[-4:]}"


def mask_id_number(number: str) -> str:
    """110***********1234: the region and the last four digits."""
    if not number:
        return ""
    if len(number) < 8:
        return "*" * len(number)
    return f"{number[:3]}{'*' * (len(number) - 7)}{number[-4:]}"
