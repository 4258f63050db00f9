"""The admin's data permission: staff of community A reach nothing of community B through
any admin URL (listing, search, export, inspect, edit, delete, history, usage, custom
views), leadership reaches both, residents and outsiders do not enter the admin."""

import io

import openpyxl
import pytest
from django.urls import reverse

from tests import factories as f

pytestmark = pytest.mark.django_db

# Every estates viewset, by its URL namespace.
VIEWSETS = ["community", "building", "unit", "house", "ownerrecord", "resident", "occupancy",
            "staff"]
STAFF_OF_A = ["service_a", "records_a", "manager_a"]
OBJECT_VIEWS = ["inspect", "edit", "delete", "history", "history_results", "usage"]
CUSTOM_VIEWS = {"community": ["registration-code", "withdraw-codes"],
                "resident": ["disable", "enable"], "occupancy": ["review", "end"]}


def _side(community, house, resident_user, staff_user, marker):
    """One object of each model in a community, each named with ``marker`` so that a
    listing or an export that shows it can be caught."""
    community.name = f"{marker}小区"
    community.save()
    building = house.building
    building.name = f"{marker}楼"
    building.save()
    unit = house.unit
    unit.name = f"{marker}单元"
    unit.save()
    house.number = f"{marker}室"
    house.save()
    resident = resident_user.resident
    resident.name = f"{marker}住户"
    resident.save()
    staff = staff_user.staff
    staff.name = f"{marker}员工"
    staff.save()
    return {
        "community": community, "building": building, "unit": unit, "house": house,
        "ownerrecord": f.OwnerRecordFactory(house=house, name=f"{marker}业主",
                                            phone="13911112222" if marker == "乙" else ""),
        "resident": resident, "occupancy": resident.occupancies.get(), "staff": staff,
    }


@pytest.fixture
def side_b(community_b, house_b, resident_b, manager_b):
    return _side(community_b, house_b, resident_b, manager_b, "乙")


@pytest.fixture
def side_a(community_a, house_a, resident, service_a, records_a, manager_a):
    return _side(community_a, house_a, resident, manager_a, "甲")


@pytest.fixture
def staff_user(request, service_a, records_a, manager_a):
    return {"service_a": service_a, "records_a": records_a, "manager_a": manager_a}[request.param]


def _url(viewset, view, obj=None):
    name = f"{viewset}:{view}"
    return reverse(name, args=[obj.pk]) if obj is not None else reverse(name)


def _object_urls():
    for viewset in VIEWSETS:
        for view in OBJECT_VIEWS + CUSTOM_VIEWS.get(viewset, []):
            yield viewset, view


@pytest.mark.parametrize("staff_user", STAFF_OF_A, indirect=True)
@pytest.mark.parametrize(("viewset", "view"), list(_object_urls()))
def test_staff_of_a_get_404_for_the_object_of_b_by_any_url(client, side_a, side_b, staff_user,
                                                           viewset, view):
    client.force_login(staff_user)
    assert client.get(_url(viewset, view, side_b[viewset])).status_code == 404


@pytest.mark.parametrize("staff_user", STAFF_OF_A, indirect=True)
@pytest.mark.parametrize(("viewset", "view"), list(_object_urls()))
def test_posting_to_the_object_of_b_changes_nothing(client, side_a, side_b, staff_user,
                                                    viewset, view):
    client.force_login(staff_user)
    response = client.post(_url(viewset, view, side_b[viewset]),
                           {"action": "verify", "reason": "x", "name": "改名"})
    assert response.status_code == 404
    assert "改名" not in str(type(side_b[viewset]).objects.filter(pk=side_b[viewset].pk).get())


@pytest.mark.parametrize("staff_user", STAFF_OF_A, indirect=True)
@pytest.mark.parametrize("viewset", VIEWSETS)
def test_listing_of_staff_of_a_never_shows_b(client, side_a, side_b, staff_user, viewset):
    client.force_login(staff_user)
    response = client.get(_url(viewset, "index"))
    # Without the view permission Wagtail refuses the listing with a redirect home.
    assert response.status_code in (200, 302)
    assert "乙" not in response.content.decode()


@pytest.mark.parametrize("viewset", VIEWSETS)
def test_manager_of_a_sees_the_rows_of_a_in_the_listing(client, side_a, side_b, manager_a,
                                                        viewset):
    client.force_login(manager_a)
    response = client.get(_url(viewset, "index"))
    assert response.status_code == 200
    assert "甲" in response.content.decode()


@pytest.mark.parametrize("staff_user", STAFF_OF_A, indirect=True)
@pytest.mark.parametrize("viewset", VIEWSETS)
def test_search_of_staff_of_a_never_finds_b(client, side_a, side_b, staff_user, viewset):
    client.force_login(staff_user)
    response = client.get(_url(viewset, "index_results"), {"q": "乙"})
    assert response.status_code in (200, 302)
    assert "乙" not in response.content.decode()


def test_phone_search_of_staff_of_a_does_not_find_the_owner_on_file_in_b(
        client, side_a, side_b, records_a):
    client.force_login(records_a)
    response = client.get(_url("ownerrecord", "index_results"), {"q": "13911112222"})
    assert "乙业主" not in response.content.decode()


def test_phone_search_of_leadership_finds_the_owner_on_file_by_exact_number(
        client, side_a, side_b, leadership):
    client.force_login(leadership)
    response = client.get(_url("ownerrecord", "index_results"), {"q": "139 1111 2222"})
    assert "乙业主" in response.content.decode()


@pytest.mark.parametrize("staff_user", STAFF_OF_A, indirect=True)
@pytest.mark.parametrize("viewset", VIEWSETS)
def test_csv_export_of_staff_of_a_never_contains_b(client, side_a, side_b, staff_user, viewset):
    client.force_login(staff_user)
    response = client.get(_url(viewset, "index"), {"export": "csv"})
    if response.status_code == 302:  # no view permission: refused altogether
        return
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "乙" not in content


def _xlsx_cells(response):
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return [str(cell.value) for row in workbook.active.iter_rows() for cell in row]


@pytest.mark.parametrize("staff_user", STAFF_OF_A, indirect=True)
@pytest.mark.parametrize("viewset", VIEWSETS)
def test_xlsx_export_of_staff_of_a_never_contains_b(client, side_a, side_b, staff_user,
                                                    viewset):
    client.force_login(staff_user)
    response = client.get(_url(viewset, "index"), {"export": "xlsx"})
    if response.status_code == 302:  # no view permission: refused altogether
        return
    assert not any("乙" in cell for cell in _xlsx_cells(response))


@pytest.mark.parametrize("viewset", [v for v in VIEWSETS if v != "staff"])
def test_xlsx_export_of_manager_of_a_contains_a(client, side_a, side_b, manager_a, viewset):
    client.force_login(manager_a)
    response = client.get(_url(viewset, "index"), {"export": "xlsx"})
    assert any("甲" in cell for cell in _xlsx_cells(response))


@pytest.mark.parametrize("viewset", VIEWSETS)
def test_leadership_opens_the_objects_of_both_communities(client, side_a, side_b, leadership,
                                                          viewset):
    client.force_login(leadership)
    for side in (side_a, side_b):
        assert client.get(_url(viewset, "inspect", side[viewset])).status_code == 200


@pytest.mark.parametrize("viewset", VIEWSETS)
def test_leadership_lists_both_communities(client, side_a, side_b, leadership, viewset):
    client.force_login(leadership)
    content = client.get(_url(viewset, "index")).content.decode()
    assert "甲" in content
    assert "乙" in content


@pytest.mark.parametrize("persona", ["resident", "outsider", "worker_a"])
def test_people_without_admin_access_cannot_enter_the_admin(client, request, side_a, persona):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(_url("resident", "index"))
    assert response.status_code == 302
    assert "甲" not in client.get(response.url).content.decode()


@pytest.mark.parametrize("persona", ["resident", "outsider"])
def test_people_without_admin_access_cannot_open_an_object(client, request, side_a, persona):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(_url("resident", "inspect", side_a["resident"]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("wagtailadmin_login"))
