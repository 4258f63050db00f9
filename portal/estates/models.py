"""The estate directory and the people in it.

Company → Community (the unit of data permission) → Building → Unit → House.
Residents (owners, family, tenants) bind to houses through Occupancy; staff are bound to
communities. Every community-owned model has ``objects.visible_to(user)``.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail.log_actions import log

from portal.crypto import EncryptedCharField, blind_index, mask_id_number, mask_phone
from portal.notifications import notify

from . import roles
from .errors import TransitionNotAllowed
from .scope import ScopedQuerySet


class Company(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    service_phone = models.CharField(_("service phone"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")

    def __str__(self):
        return self.name


class CommunityQuerySet(ScopedQuerySet):
    community_field = None

    def for_resident(self, resident):
        return self.filter(pk=resident.community_id)


class Community(models.Model):
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="communities",
                                verbose_name=_("company"))
    name = models.CharField(_("name"), max_length=100)
    code = models.SlugField(_("code"), max_length=40, unique=True,
                            help_text=_("Short code used in links, e.g. 'lakeside'."))
    address = models.CharField(_("address"), max_length=200, blank=True)
    service_phone = models.CharField(_("service phone"), max_length=30, blank=True)
    office_hours = models.CharField(_("office hours"), max_length=100, blank=True)
    registration_open = models.BooleanField(_("registration open"), default=True)
    # Raising this invalidates every registration QR code printed before.
    registration_version = models.PositiveIntegerField(default=1, editable=False)

    objects = CommunityQuerySet.as_manager()

    class Meta:
        verbose_name = _("community")
        verbose_name_plural = _("communities")
        ordering = ["company", "name"]
        constraints = [
            models.UniqueConstraint(fields=["company", "name"], name="community_name_unique"),
        ]
        permissions = [("print_registration_code", "Can print the registration QR code")]

    def __str__(self):
        return self.name

    def hold_for_run(self):
        """Runs over the whole community (a bill run, a directory import) go one after
        the other: this row stays locked until the caller's transaction ends. FOR NO KEY
        UPDATE, not FOR UPDATE: rows that refer to the community (payment orders, tickets,
        the gate log) take a key-share lock on it when written, which FOR UPDATE would
        make wait for the whole run."""
        list(Community.objects.select_for_update(no_key=True).filter(pk=self.pk)
             .order_by().values_list("pk", flat=True))

    def withdraw_registration_codes(self, by, reason=""):
        """Every registration link and QR code issued so far stops working; accounts
        already registered are not affected."""
        with transaction.atomic():
            Community.objects.filter(pk=self.pk).update(
                registration_version=models.F("registration_version") + 1
            )
            self.refresh_from_db(fields=["registration_version"])
            log(self, "estates.community.withdraw_codes", user=by,
                data={"reason": reason, "version": self.registration_version})


class SharedWithResidentsQuerySet(ScopedQuerySet):
    """Directory rows a resident may list within their own community (to bind a house)."""

    def for_resident(self, resident):
        return self.filter(**{self.community_path("id"): resident.community_id})


class Building(models.Model):
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="buildings",
                                  verbose_name=_("community"))
    name = models.CharField(_("name"), max_length=50, help_text=_("e.g. 3栋"))
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)

    objects = SharedWithResidentsQuerySet.as_manager()

    class Meta:
        verbose_name = _("building")
        verbose_name_plural = _("buildings")
        ordering = ["community", "sort_order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="building_name_unique"),
        ]

    def __str__(self):
        return self.name


class Unit(models.Model):
    building = models.ForeignKey(Building, on_delete=models.CASCADE, related_name="units",
                                 verbose_name=_("building"))
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+",
                                  editable=False)
    name = models.CharField(_("name"), max_length=50, help_text=_("e.g. 2单元"))

    objects = SharedWithResidentsQuerySet.as_manager()

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["building__sort_order", "building__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["building", "name"], name="unit_name_unique"),
        ]

    def __str__(self):
        return f"{self.building.name}{self.name}"

    def save(self, *args, **kwargs):
        self.community_id = self.building.community_id
        super().save(*args, **kwargs)


class HouseQuerySet(ScopedQuerySet):
    def for_resident(self, resident):
        return self.filter(
            occupancies__resident=resident,
            occupancies__state__in=Occupancy.ACTIVE_STATES,
        ).distinct()


class House(models.Model):
    class Kind(models.TextChoices):
        RESIDENCE = "residence", _("Residence")
        SHOP = "shop", _("Shop")
        PARKING = "parking", _("Parking space")
        STORAGE = "storage", _("Storage room")

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="houses",
                             verbose_name=_("unit"))
    # Denormalised from the unit so that scoping and filters need no joins.
    building = models.ForeignKey(Building, on_delete=models.CASCADE, related_name="houses",
                                 editable=False)
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="houses",
                                  editable=False)
    number = models.CharField(_("house number"), max_length=20, help_text=_("e.g. 1201"))
    floor = models.SmallIntegerField(_("floor"), null=True, blank=True)
    area = models.DecimalField(_("area (m²)"), max_digits=9, decimal_places=2,
                               null=True, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices,
                            default=Kind.RESIDENCE)

    objects = HouseQuerySet.as_manager()

    class Meta:
        verbose_name = _("house")
        verbose_name_plural = _("houses")
        ordering = ["building__sort_order", "building__name", "unit__name", "number"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "number"], name="house_number_unique"),
        ]
        indexes = [models.Index(fields=["community", "building"])]
        permissions = [("import_directory", "Can import the estate directory from a spreadsheet")]

    def __str__(self):
        return self.label

    def save(self, *args, **kwargs):
        self.building_id = self.unit.building_id
        self.community_id = self.unit.community_id
        super().save(*args, **kwargs)

    @property
    def label(self):
        """3栋2单元1201"""
        return f"{self.unit}{self.number}"


class OwnerRecordQuerySet(ScopedQuerySet):
    pass


class OwnerRecord(models.Model):
    """The company's file on who owns a house (业主档案), usually imported from its
    spreadsheet. Staff compare a registrant's claim against it before verifying."""

    house = models.ForeignKey(House, on_delete=models.CASCADE, related_name="owner_records",
                              verbose_name=_("house"))
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+",
                                  editable=False)
    name = models.CharField(_("name"), max_length=50)
    phone = EncryptedCharField(_("mobile number"), blank=True, default="")
    phone_index = models.CharField(max_length=64, blank=True, default="", editable=False,
                                   db_index=True)
    id_number = EncryptedCharField(_("ID number"), blank=True, default="")

    objects = OwnerRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("owner on file")
        verbose_name_plural = _("owners on file")
        ordering = ["house"]

    def __str__(self):
        return f"{self.house.label} {self.name}"

    def save(self, *args, **kwargs):
        self.community_id = self.house.community_id
        self.phone_index = blind_index(self.phone) if self.phone else ""
        super().save(*args, **kwargs)

    @property
    def masked_phone(self):
        return mask_phone(self.phone)

    @property
    def masked_id_number(self):
        return mask_id_number(self.id_number)


class ResidentQuerySet(ScopedQuerySet):
    def for_resident(self, resident):
        return self.filter(pk=resident.pk)


class Resident(models.Model):
    """An owner, family member or tenant. One account belongs to one community
    (一个业主用户只能登陆一个小区)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="resident", verbose_name=_("user account"))
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="residents",
                                  verbose_name=_("community"))
    name = models.CharField(_("name"), max_length=50)
    id_number = EncryptedCharField(_("ID number"), blank=True, default="")
    registered_at = models.DateTimeField(_("registered at"), default=timezone.now)

    objects = ResidentQuerySet.as_manager()
    # Rows written all day that no page or snippet refers to: Wagtail's reference
    # index would only queue a background task on every save.
    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = _("resident")
        verbose_name_plural = _("residents")
        ordering = ["-registered_at"]
        permissions = [("disable_resident", "Can disable and enable resident accounts")]

    def __str__(self):
        return self.name

    @property
    def phone(self):
        return self.user.phone

    @property
    def masked_phone(self):
        return mask_phone(self.user.phone)

    @property
    def masked_id_number(self):
        return mask_id_number(self.id_number)

    @property
    def is_disabled(self):
        return not self.user.is_active

    def disable(self, by, reason=""):
        """Close the account at once. Sessions die with it: Django's authentication
        backends refuse inactive users on every request, so the person is logged out
        everywhere."""
        with transaction.atomic():
            user = type(self.user).objects.select_for_update().get(pk=self.user_id)
            if not user.is_active:
                raise TransitionNotAllowed(_("This account is already disabled."))
            user.is_active = False
            user.save(update_fields=["is_active"])
            self.user = user
            log(self, "estates.resident.disable", user=by, data={"reason": reason})

    def enable(self, by):
        with transaction.atomic():
            user = type(self.user).objects.select_for_update().get(pk=self.user_id)
            if user.is_active:
                raise TransitionNotAllowed(_("This account is not disabled."))
            user.is_active = True
            user.save(update_fields=["is_active"])
            self.user = user
            log(self, "estates.resident.enable", user=by)

    def set_password(self, by, password):
        """The property office sets a new password for a resident who registered with a
        phone only and cannot reset it by e-mail, after checking who they are. Every other
        session of the account ends (Django ties sessions to the password)."""
        from django.contrib.auth.password_validation import validate_password

        validate_password(password, self.user)
        with transaction.atomic():
            self.user.set_password(password)
            self.user.save(update_fields=["password"])
            log(self, "estates.resident.set_password", user=by)

    def request_occupancy(self, house, role):
        """The resident claims a house. They may use the portal at once; staff verify
        the claim against the directory later."""
        if house.community_id != self.community_id:
            raise ValidationError(_("That house is not in your community."))
        with transaction.atomic():
            if self.occupancies.filter(house=house, state__in=Occupancy.ACTIVE_STATES).exists():
                raise ValidationError(_("You have already bound this house."))
            occupancy = Occupancy.objects.create(resident=self, house=house, role=role)
            log(occupancy, "estates.occupancy.request", user=self.user,
                data={"house": house.label, "role": role})
        return occupancy


class OccupancyQuerySet(ScopedQuerySet):
    def for_resident(self, resident):
        return self.filter(resident=resident)

    def active(self):
        return self.filter(state__in=Occupancy.ACTIVE_STATES)


class Occupancy(models.Model):
    """A resident's tie to a house: pending → verified | rejected, and ended."""

    class Role(models.TextChoices):
        OWNER = "owner", pgettext_lazy("property", "Owner")
        FAMILY = "family", _("Family member")
        TENANT = "tenant", _("Tenant")

    class State(models.TextChoices):
        PENDING = "pending", _("Pending verification")
        VERIFIED = "verified", _("Verified")
        REJECTED = "rejected", _("Rejected")
        ENDED = "ended", _("Ended")

    ACTIVE_STATES = (State.PENDING, State.VERIFIED)

    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="occupancies",
                                 verbose_name=_("resident"))
    house = models.ForeignKey(House, on_delete=models.CASCADE, related_name="occupancies",
                              verbose_name=_("house"))
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+",
                                  editable=False)
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    state = models.CharField(_("state"), max_length=10, choices=State.choices,
                             default=State.PENDING)
    created_at = models.DateTimeField(_("requested at"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+",
                                   verbose_name=_("decided by"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    objects = OccupancyQuerySet.as_manager()
    # Rows written all day that no page or snippet refers to: Wagtail's reference
    # index would only queue a background task on every save.
    wagtail_reference_index_ignore = True

    class Meta:
        # What staff and residents call it; "occupancy" is the code's word.
        verbose_name = _("house binding")
        verbose_name_plural = _("house bindings")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["resident", "house"],
                condition=Q(state__in=["pending", "verified"]),
                name="one_active_occupancy_per_house",
            ),
        ]
        indexes = [models.Index(fields=["community", "state"])]
        permissions = [("verify_occupancy", "Can verify or reject house bindings")]

    def __str__(self):
        return f"{self.resident} · {self.house} · {self.get_role_display()}"

    def save(self, *args, **kwargs):
        self.community_id = self.house.community_id
        super().save(*args, **kwargs)

    def matches_owner_record(self):
        """Whether the directory lists this resident's phone for the house: the main
        evidence staff use to verify."""
        return self.house.owner_records.filter(
            phone_index=blind_index(self.resident.user.phone)
        ).exists()

    def _change_state(self, *, allowed_from, to, action, by, reason="", event=None, **fields):
        with transaction.atomic():
            current = Occupancy.objects.select_for_update().get(pk=self.pk)
            if current.state not in allowed_from:
                raise TransitionNotAllowed(
                    _("This binding is %(state)s and cannot be changed that way.")
                    % {"state": current.get_state_display()}
                )
            self.state = to
            self.reason = reason
            for name, value in fields.items():
                setattr(self, name, value)
            self.save(update_fields=["state", "reason", *fields])
            log(self, action, user=by, data={"reason": reason, "house": self.house.label})
            if event:
                notify(self.resident.user, event, {"house": self.house.label, "reason": reason},
                       url=reverse("estates:me"))

    def verify(self, by):
        self._change_state(allowed_from=[self.State.PENDING], to=self.State.VERIFIED,
                           action="estates.occupancy.verify", by=by,
                           event="estates.occupancy.verified",
                           decided_at=timezone.now(), decided_by=by)

    def reject(self, by, reason):
        if not reason or not reason.strip():
            raise ValidationError(_("Give the resident a reason for the rejection."))
        self._change_state(allowed_from=[self.State.PENDING], to=self.State.REJECTED,
                           action="estates.occupancy.reject", by=by, reason=reason.strip(),
                           event="estates.occupancy.rejected",
                           decided_at=timezone.now(), decided_by=by)

    def end(self, by, reason=""):
        """Moving out, a sale, a tenancy ending."""
        self._change_state(allowed_from=list(self.ACTIVE_STATES), to=self.State.ENDED,
                           action="estates.occupancy.end", by=by, reason=reason,
                           ended_at=timezone.now())


class Trade(models.Model):
    """What a maintenance worker can repair: water, electricity, elevator, ..."""

    code = models.SlugField(max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=30)

    class Meta:
        verbose_name = _("trade")
        verbose_name_plural = _("trades")
        ordering = ["pk"]

    def __str__(self):
        return self.name


class StaffQuerySet(ScopedQuerySet):
    community_field = "communities"

    def for_staff(self, staff):
        if staff.sees_whole_company:
            return self.filter(company_id=staff.company_id)
        return self.filter(communities__in=staff.communities.all()).distinct()


class Staff(models.Model):
    """A company employee. Roles are groups on the user; communities bound here decide
    which data they see."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="staff", verbose_name=_("user account"))
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="staff",
                                verbose_name=_("company"))
    name = models.CharField(_("name"), max_length=50)
    communities = models.ManyToManyField(Community, blank=True, related_name="staff",
                                         verbose_name=_("communities"))
    trades = models.ManyToManyField(Trade, blank=True, related_name="workers",
                                    verbose_name=_("trades"))

    objects = StaffQuerySet.as_manager()

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @cached_property
    def role_names(self):
        # Cached per instance: asked on every scoped query of a request, in one query.
        return frozenset(self.user.groups.values_list("name", flat=True))

    def has_role(self, *names):
        return not self.role_names.isdisjoint(names)

    @property
    def sees_whole_company(self):
        return self.has_role(roles.LEADERSHIP)

    @property
    def masked_phone(self):
        return mask_phone(self.user.phone)

    @property
    def roles_display(self):
        return ", ".join(
            group.name for group in self.user.groups.all() if group.name in roles.ROLE_PERMISSIONS
        )

    @property
    def communities_display(self):
        return ", ".join(community.name for community in self.communities.all())
