"""Admin forms of the directory: choices limited to the user's communities, personal data
never put back in clear, creations logged by Wagtail."""

import pytest
from django.urls import reverse
from wagtail.models import ModelLogEntry

from portal.estates.models import Building, House, OwnerRecord
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_records_admin_of_a_creates_a_building_in_a(client, records_a, community_a):
    client.force_login(records_a)
    response = client.post(reverse("building:add"),
                           {"community": community_a.pk, "name": "9栋", "sort_order": 9})
    assert response.status_code == 302
    assert Building.objects.filter(community=community_a, name="9栋").exists()


def test_records_admin_of_a_cannot_create_a_building_in_b_by_posting_its_id(
        client, records_a, community_a, community_b):
    client.force_login(records_a)
    response = client.post(reverse("building:add"),
                           {"community": community_b.pk, "name": "9栋", "sort_order": 9})
    assert response.status_code == 200
    assert "community" in response.context["form"].errors
    assert not Building.objects.filter(name="9栋").exists()


def test_building_form_offers_only_the_users_communities(client, records_a, community_a,
                                                         community_b):
    client.force_login(records_a)
    choices = client.get(reverse("building:add")).context["form"].fields["community"].queryset
    assert list(choices) == [community_a]


def test_records_admin_of_a_cannot_put_a_house_in_a_unit_of_b(client, records_a, house_a,
                                                             house_b):
    client.force_login(records_a)
    client.post(reverse("house:add"), {"unit": house_b.unit.pk, "number": "999",
                                       "kind": "residence"})
    assert not House.objects.filter(number="999").exists()


def test_records_admin_of_a_cannot_move_an_owner_on_file_to_a_house_of_b(
        client, records_a, house_a, house_b):
    record = f.OwnerRecordFactory(house=house_a, name="王建国")
    client.force_login(records_a)
    client.post(reverse("ownerrecord:edit", args=[record.pk]),
                {"house": house_b.pk, "name": "王建国"})
    record.refresh_from_db()
    assert record.house == house_a


def test_building_filter_offers_only_the_users_communities(client, records_a, community_a,
                                                           community_b):
    client.force_login(records_a)
    filters = client.get(reverse("building:index")).context["filters"]
    assert list(filters.form.fields["community"].queryset) == [community_a]


def test_creating_a_building_is_in_the_audit_log(client, records_a, community_a):
    client.force_login(records_a)
    client.post(reverse("building:add"),
                {"community": community_a.pk, "name": "9栋", "sort_order": 9})
    building = Building.objects.get(name="9栋")
    entry = ModelLogEntry.objects.get(object_id=str(building.pk), action="wagtail.create")
    assert entry.user == records_a


def test_owner_on_file_edit_form_does_not_show_the_phone_in_clear(client, records_a, house_a):
    record = f.OwnerRecordFactory(house=house_a, phone="13912345678",
                                  id_number="110101199001011234")
    client.force_login(records_a)
    content = client.get(reverse("ownerrecord:edit", args=[record.pk])).content.decode()
    assert "13912345678" not in content
    assert "139****5678" in content
    assert "110101199001011234" not in content


def test_owner_on_file_keeps_its_phone_when_the_field_is_left_empty(client, records_a, house_a):
    record = f.OwnerRecordFactory(house=house_a, phone="13912345678")
    client.force_login(records_a)
    client.post(reverse("ownerrecord:edit", args=[record.pk]),
                {"house": house_a.pk, "name": "李四", "phone": "", "id_number": ""})
    record.refresh_from_db()
    assert (record.name, record.phone) == ("李四", "13912345678")


def test_owner_on_file_phone_is_normalised_and_indexed(client, records_a, house_a):
    client.force_login(records_a)
    client.post(reverse("ownerrecord:add"),
                {"house": house_a.pk, "name": "张三", "phone": "+86 139 1234 5678"})
    record = OwnerRecord.objects.get(name="张三")
    assert record.phone == "13912345678"
    assert OwnerRecord.objects.filter(phone_index=record.phone_index).count() == 1


def test_listings_show_phones_masked(client, records_a, resident):
    client.force_login(records_a)
    content = client.get(reverse("resident:index")).content.decode()
    assert resident.masked_phone in content
    assert resident.phone not in content


def test_exports_show_phones_masked(client, records_a, resident):
    client.force_login(records_a)
    response = client.get(reverse("resident:index"), {"export": "csv"})
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    assert resident.masked_phone in content
    assert resident.phone not in content


def test_resident_search_finds_by_exact_phone(client, service_a, resident, neighbour):
    client.force_login(service_a)
    response = client.get(reverse("resident:index_results"), {"q": resident.phone})
    assert list(response.context["object_list"]) == [resident.resident]


def test_role_without_add_house_sees_no_add_button(client, service_a):
    client.force_login(service_a)
    content = client.get(reverse("house:index")).content.decode()
    assert reverse("house:add") not in content


def test_role_without_add_house_is_refused_the_add_url(client, service_a, house_a):
    client.force_login(service_a)
    response = client.post(reverse("house:add"), {"unit": house_a.unit.pk, "number": "999",
                                                  "kind": "residence"})
    # Wagtail's admin answers a refused permission by sending the user home with a message.
    assert response.status_code == 302
    assert response.url == reverse("wagtailadmin_home")
    assert not House.objects.filter(number="999").exists()


def test_nobody_types_in_a_resident_from_the_admin(client, leadership, manager_a):
    client.force_login(manager_a)
    assert reverse("resident:add") not in client.get(reverse("resident:index")).content.decode()
