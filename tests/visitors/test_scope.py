"""Data permission of visitor passes, the gate log, pass events and settings: guards and
desk staff of a community see its rows, leadership all; an owner their own houses';
workers, other communities' staff, neighbours and strangers nothing, by list or by id."""

import pytest

from portal.estates import roles
from services.visitors import gate
from services.visitors.models import GateEntry, PassEvent, VisitorPass, VisitorSetting
from tests import factories as f

from .passes_setup import invited

pytestmark = pytest.mark.django_db


@pytest.fixture
def guard_a(company, community_a):
    return f.StaffFactory(company=company, user__groups=[roles.GUARD],
                          communities=[community_a]).user


@pytest.fixture
def rows(resident, house_a, community_a, manager_a):
    visitor_pass = invited(resident, house_a)
    gate.admit(community_a, visitor_pass.code, manager_a)
    setting = VisitorSetting.objects.create(community=community_a)
    return {VisitorPass: visitor_pass, GateEntry: visitor_pass.entries.get(),
            PassEvent: visitor_pass.events.first(), VisitorSetting: setting}


SEES = {"guard_a": True, "service_a": True, "manager_a": True, "leadership": True,
        "records_a": True, "worker_a": False, "manager_b": False, "neighbour": False,
        "resident_b": False, "merchant": False, "outsider": False}


@pytest.mark.parametrize("persona", sorted(SEES))
@pytest.mark.parametrize("model", [VisitorPass, GateEntry, PassEvent, VisitorSetting],
                         ids=lambda model: model.__name__)
def test_who_sees_a_communitys_visitor_rows(request, rows, persona, model):
    user = request.getfixturevalue(persona)
    row = rows[model]
    visible = model.objects.visible_to(user)
    assert visible.filter(pk=row.pk).exists() is SEES[persona]


@pytest.mark.parametrize("model", [VisitorPass, GateEntry, PassEvent],
                         ids=lambda model: model.__name__)
def test_the_owner_sees_their_own_passes_and_their_log(resident, rows, model):
    assert model.objects.visible_to(resident).filter(pk=rows[model].pk).exists()


def test_the_owner_does_not_see_settings(resident, rows):
    assert not VisitorSetting.objects.visible_to(resident).exists()


def test_anonymous_sees_nothing(rows):
    from django.contrib.auth.models import AnonymousUser

    assert not VisitorPass.objects.visible_to(AnonymousUser()).exists()
