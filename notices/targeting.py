"""Who may read a notice or a community page, in one place.

A notice targets the whole company, communities, buildings or units (NoticeTarget rows).
A resident reads the notices that target one of their houses (active bindings), their
building, their community or their company; a handbook or contact page is for the
residents of its community. Staff read the pages of the communities they serve.
Anything marked public may be read by anyone; anonymous visitors read nothing else.

Every serve(), list, search and banner asks these functions; nothing is only hidden in
templates.
"""

from django.db.models import Exists, OuterRef, Q
from django.shortcuts import render
from django.utils.translation import gettext as _

from portal.estates.models import Community, Occupancy, Resident


def resident_of(user):
    if not user.is_authenticated or not user.is_active or hasattr(user, "staff"):
        return None
    return getattr(user, "resident", None)


def _is_staff(user):
    return user.is_authenticated and user.is_active and (
        user.is_superuser or hasattr(user, "staff"))


def _target_rows_for(resident):
    """A filter on NoticeTarget: the rows that reach this resident."""
    bindings = Occupancy.objects.filter(resident=resident, state__in=Occupancy.ACTIVE_STATES)
    return (
        Q(unit_id__in=bindings.values("house__unit_id"))
        | Q(unit=None, building_id__in=bindings.values("house__building_id"))
        | Q(building=None, community_id=resident.community_id)
        | Q(whole_company=True, company_id=resident.community.company_id)
    )


def pages_for_resident(resident):
    """A filter on NoticePage: the notices that target one of the resident's houses."""
    from .models import NoticeTarget

    return Q(Exists(NoticeTarget.objects.filter(_target_rows_for(resident), page=OuterRef("pk"))))


def targets_resident(page, resident):
    from .models import NoticeTarget

    return NoticeTarget.objects.filter(_target_rows_for(resident), page_id=page.pk).exists()


def _staff_communities(user):
    return Community.objects.visible_to(user)


def listed_notices_filter(user, community):
    """A filter on NoticePage: what a community's notice list shows to this user."""
    if user.is_authenticated and user.is_superuser:
        return Q(community=community)
    if _is_staff(user):
        return Q(community=community, community__in=_staff_communities(user))
    resident = resident_of(user)
    if resident is not None:
        return pages_for_resident(resident)
    return Q(public=True, community=community)


def community_pages_filter(user):
    """A filter on handbook and contact pages: those this user may read."""
    if user.is_authenticated and user.is_superuser:
        return Q()
    if _is_staff(user):
        return Q(public=True) | Q(community__in=_staff_communities(user))
    resident = resident_of(user)
    if resident is not None:
        return Q(public=True) | Q(community_id=resident.community_id)
    return Q(public=True)


def is_visible_to(page, user):
    from .models import NoticePage

    if page.public or (user.is_authenticated and user.is_superuser):
        return True
    if _is_staff(user):
        return _staff_communities(user).filter(pk=page.community_id).exists()
    resident = resident_of(user)
    if resident is None:
        return False
    if isinstance(page, NoticePage):
        return targets_resident(page, resident)
    return resident.community_id == page.community_id


def refuse(request, page):
    """The clear "not for you" answer to someone who opened a page not meant for them."""
    from .models import NoticePage

    if not request.user.is_authenticated:
        message = _("This page is for residents. Log in to read it.")
    elif isinstance(page, NoticePage):
        message = _("This notice is not for your building.")
    else:
        message = _("This page is for the residents of another community.")
    # Not even the title: it would tell what the notice is about.
    return render(request, "notices/not_for_you.html", {"message": message}, status=403)


def targeted_residents(page):
    """The residents a notice is for (active accounts), as a Resident queryset."""
    from .models import NoticeTarget

    rows = NoticeTarget.objects.filter(page_id=page.pk)
    bindings = Occupancy.objects.filter(resident=OuterRef("pk"),
                                        state__in=Occupancy.ACTIVE_STATES)
    reached = (
        Q(community__company_id__in=rows.filter(whole_company=True).values("company_id"))
        | Q(community_id__in=rows.filter(whole_company=False, building=None)
            .values("community_id"))
        | Q(Exists(bindings.filter(house__building_id__in=rows.filter(unit=None)
                                   .exclude(building=None).values("building_id"))))
        | Q(Exists(bindings.filter(house__unit_id__in=rows.exclude(unit=None)
                                   .values("unit_id"))))
    )
    return Resident.objects.filter(reached, user__is_active=True)
