from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.crypto import EncryptedCharField, blind_index, mask_phone


class User(AbstractUser):
    """The login account. Residents log in by mobile number, staff by username in the
    admin. Who the person is lives in a profile: estates.Resident or estates.Staff."""

    phone = EncryptedCharField(_("mobile number"), blank=True, default="")
    # Keyed hash of the phone: look-up at login and one account per number.
    phone_index = models.CharField(  # noqa: DJ001 NULL: accounts without a phone
        max_length=64, unique=True, null=True, editable=False
    )

    class Meta:
        verbose_name = _("user account")
        verbose_name_plural = _("user accounts")

    def __str__(self):
        return self.display_name

    def save(self, *args, **kwargs):
        self.phone_index = blind_index(self.phone) if self.phone else None
        super().save(*args, **kwargs)

    @property
    def display_name(self):
        for profile in ("resident", "staff"):
            person = getattr(self, profile, None)
            if person is not None and person.name:
                return person.name
        return self.get_full_name() or self.username

    @property
    def masked_phone(self):
        return mask_phone(self.phone)

    @classmethod
    def find_by_phone(cls, phone):
        return cls.objects.filter(phone_index=blind_index(phone)).first()
