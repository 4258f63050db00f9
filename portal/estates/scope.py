"""Data permission: the one choke point through which every community-owned query goes.

Community (小区/管理处) is the unit of data permission. Superusers and company leadership
see every community of their company; other staff see the communities they are bound to;
a resident sees their own records and their community's shared content; anyone else sees
nothing. Each model says what "its community" is and what a resident may see of it.
"""

from django.db import models


class ScopedQuerySet(models.QuerySet):
    """Base queryset for community-owned models. Subclasses set ``community_field``
    (the lookup path to the Community) and override ``for_resident`` where residents
    may see rows."""

    community_field = "community"

    def visible_to(self, user):
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        staff = getattr(user, "staff", None)
        if staff is not None:
            return self.for_staff(staff)
        resident = getattr(user, "resident", None)
        if resident is not None:
            return self.for_resident(resident)
        return self.none()

    def for_staff(self, staff):
        if staff.sees_whole_company:
            return self.filter(**{self.community_path("company_id"): staff.company_id})
        return self.filter(**{self.community_path("in"): staff.communities.all()})

    def for_resident(self, resident):
        return self.none()

    def community_path(self, suffix):
        if self.community_field:
            return f"{self.community_field}__{suffix}"
        # The Community model itself.
        return {"company_id": "company_id", "in": "pk__in"}[suffix]


def sees_whole_company(user):
    """Superusers and company leadership: the people company-wide reports are for."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    staff = getattr(user, "staff", None)
    return staff is not None and staff.sees_whole_company
