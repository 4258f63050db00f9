"""Who may read a notice, an activity or a community page, in one place.

A notice or an activity (a targeted page) targets the whole company, communities,
buildings or units (rows of its target model: NoticeTarget, ActivityTarget). A resident
reads the targeted pages that target one of their houses (active bindings), their
building, their community or their company; a handbook or contact page is for the
residents of its community. Staff read the pages of the communities they serve.
Anything marked public may be read by anyone; anonymous visitors read nothing else.

Every serve(), list, search and banner asks these functions; nothing is only hidden in
templates.
"""

from django.core.exceptions import FieldDoesNotExist
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
    """A filter on target rows (NoticeTarget...): those that reach this resident. Their
    units and buildings are read first (one small query), so that the database finds
    each kind of row in its own index instead of testing every target row."""
    houses = list(Occupancy.objects.filter(resident=resident, state__in=Occupancy.ACTIVE_STATES)
                  .values_list("house__unit_id", "house__building_id"))
    return (
        Q(unit_id__in={unit_id for unit_id, _building_id in houses if unit_id is not None})
        | Q(unit=None, building_id__in={building_id for _unit_id, building_id in houses})
        | Q(building=None, community_id=resident.community_id)
        | Q(whole_company=True, company_id=resident.community.company_id)
    )


def target_model_of(page):
    """The model of a targeted page's target rows (NoticeTarget...), or None for a page
    that is not targeted (handbook, contacts)."""
    try:
        return page._meta.get_field("targets").related_model
    except FieldDoesNotExist:
        return None


def _notice_target():
    from .models import NoticeTarget

    return NoticeTarget


def pages_for_resident(resident, target_model=None):
    """A filter on a targeted page model: the pages that target one of the resident's
    houses. ``target_model`` is that page model's target rows (notices' by default)."""
    target_model = target_model or _notice_target()
    # The ids of the pages those rows target: an index lookup per kind of row, where an
    # Exists per page would test every page of the estate.
    return Q(pk__in=target_model.objects.filter(_target_rows_for(resident)).values("page_id"))


def targets_resident(page, resident):
    return (target_model_of(page).objects.filter(_target_rows_for(resident), page_id=page.pk)
            .exists())


def _staff_communities(user):
    return Community.objects.visible_to(user)


def listed_pages_filter(user, community, target_model):
    """A filter on a targeted page model: what a community's list of them shows to this
    user."""
    if user.is_authenticated and user.is_superuser:
        return Q(community=community)
    if _is_staff(user):
        return Q(community=community, community__in=_staff_communities(user))
    resident = resident_of(user)
    if resident is not None:
        return pages_for_resident(resident, target_model)
    return Q(public=True, community=community)


def listed_notices_filter(user, community):
    """A filter on NoticePage: what a community's notice list shows to this user."""
    return listed_pages_filter(user, community, _notice_target())


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
    if page.public or (user.is_authenticated and user.is_superuser):
        return True
    if _is_staff(user):
        return _staff_communities(user).filter(pk=page.community_id).exists()
    resident = resident_of(user)
    if resident is None:
        return False
    if target_model_of(page) is not None:
        return targets_resident(page, resident)
    return resident.community_id == page.community_id


def refuse(request, page):
    """The clear "not for you" answer to someone who opened a page not meant for them."""
    resident = resident_of(request.user) if request.user.is_authenticated else None
    if not request.user.is_authenticated:
        message = _("This page is for residents. Log in to read it.")
    elif getattr(page, "not_for_you", None) and resident is not None \
            and resident.community_id == page.community_id:
        message = page.not_for_you  # e.g. "not for your building", within the community
    else:
        message = _("This page is for the residents of another community.")
    # Not even the title: it would tell what the notice is about.
    return render(request, "notices/not_for_you.html", {"message": message}, status=403)


def targeted_residents(page):
    """The residents a targeted page is for (active accounts), as a Resident queryset."""
    rows = target_model_of(page).objects.filter(page_id=page.pk)
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
