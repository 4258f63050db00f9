"""Managing staff in the admin: account, roles, communities, trades; who may do it."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from wagtail.models import ModelLogEntry

from portal.estates import roles
from portal.estates.models import Staff, Trade

pytestmark = pytest.mark.django_db


def _new_staff(community, role=roles.CUSTOMER_SERVICE, **overrides):
    data = {
        "username": "newhire",
        "password": "a-long-password-2024",
        "name": "新员工",
        "phone": "13655556666",
        "roles": [Group.objects.get(name=role).pk],
        "communities": [community.pk],
        "trades": [],
    }
    data.update(overrides)
    return data


def test_manager_creates_a_staff_member_with_an_account(client, manager_a, community_a):
    client.force_login(manager_a)
    client.post(reverse("staff:add"), _new_staff(community_a))
    staff = Staff.objects.get(name="新员工")
    assert staff.user.username == "newhire"
    assert staff.user.check_password("a-long-password-2024")
    assert staff.user.phone == "13655556666"
    assert list(staff.user.groups.values_list("name", flat=True)) == [roles.CUSTOMER_SERVICE]
    assert list(staff.communities.all()) == [community_a]
    assert staff.company == community_a.company


def test_new_staff_member_sees_their_community(client, manager_a, community_a, house_a):
    client.force_login(manager_a)
    client.post(reverse("staff:add"), _new_staff(community_a))
    new_user = Staff.objects.get(name="新员工").user
    client.force_login(new_user)
    assert client.get(reverse("house:index")).context["object_list"][0] == house_a


def test_creating_staff_is_in_the_audit_log(client, manager_a, community_a):
    client.force_login(manager_a)
    client.post(reverse("staff:add"), _new_staff(community_a))
    staff = Staff.objects.get(name="新员工")
    assert ModelLogEntry.objects.filter(action="wagtail.create", user=manager_a,
                                        object_id=str(staff.pk)).exists()


def test_worker_gets_trades(client, manager_a, community_a):
    water = Trade.objects.get(code="water")
    client.force_login(manager_a)
    client.post(reverse("staff:add"),
                _new_staff(community_a, role=roles.WORKER, trades=[water.pk]))
    assert list(Staff.objects.get(name="新员工").trades.all()) == [water]


def test_a_new_account_needs_a_password(client, manager_a, community_a):
    client.force_login(manager_a)
    response = client.post(reverse("staff:add"), _new_staff(community_a, password=""))
    assert response.context["form"].errors["password"]
    assert not Staff.objects.filter(name="新员工").exists()


def test_phone_of_another_account_is_refused(client, manager_a, community_a, resident):
    client.force_login(manager_a)
    response = client.post(reverse("staff:add"),
                           _new_staff(community_a, phone=resident.phone))
    assert response.context["form"].errors["phone"]
    assert not Staff.objects.filter(name="新员工").exists()


def test_manager_of_a_cannot_bind_staff_to_community_b(client, manager_a, community_a,
                                                       community_b):
    client.force_login(manager_a)
    response = client.post(reverse("staff:add"), _new_staff(community_b))
    assert response.context["form"].errors["communities"]
    assert not Staff.objects.filter(name="新员工").exists()


def test_manager_cannot_make_someone_leadership(client, manager_a, community_a):
    client.force_login(manager_a)
    response = client.post(reverse("staff:add"),
                           _new_staff(community_a, role=roles.LEADERSHIP))
    assert response.context["form"].errors["roles"]
    assert not Staff.objects.filter(name="新员工").exists()


def test_leadership_may_make_someone_leadership(client, leadership, community_a):
    client.force_login(leadership)
    client.post(reverse("staff:add"), _new_staff(community_a, role=roles.LEADERSHIP))
    assert Staff.objects.get(name="新员工").sees_whole_company


def test_editing_keeps_the_communities_the_editor_cannot_see(client, manager_a, company,
                                                             community_a, community_b):
    from tests import factories as f

    both = f.StaffFactory(company=company, user__groups=[roles.CUSTOMER_SERVICE],
                          communities=[community_a, community_b])
    client.force_login(manager_a)
    client.post(reverse("staff:edit", args=[both.pk]), {
        "username": both.user.username, "password": "", "name": "改名", "phone": "",
        "roles": [Group.objects.get(name=roles.CUSTOMER_SERVICE).pk],
        "communities": [community_a.pk], "trades": [],
    })
    both.refresh_from_db()
    assert both.name == "改名"
    assert set(both.communities.all()) == {community_a, community_b}


def test_editing_without_a_password_keeps_it(client, manager_a, service_a, community_a):
    staff = service_a.staff
    client.force_login(manager_a)
    client.post(reverse("staff:edit", args=[staff.pk]), {
        "username": service_a.username, "password": "", "name": staff.name, "phone": "",
        "roles": [Group.objects.get(name=roles.CUSTOMER_SERVICE).pk],
        "communities": [community_a.pk], "trades": [],
    })
    service_a.refresh_from_db()
    assert service_a.check_password("test-password-1")


@pytest.mark.parametrize("persona", ["service_a", "records_a"])
def test_only_leadership_and_managers_manage_staff(client, request, persona, community_a):
    client.force_login(request.getfixturevalue(persona))
    response = client.post(reverse("staff:add"), _new_staff(community_a))
    assert response.url == reverse("wagtailadmin_home")
    assert not Staff.objects.filter(name="新员工").exists()
