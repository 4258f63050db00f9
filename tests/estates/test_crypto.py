"""Personal data at rest: phone and ID numbers encrypted in the database, masked on
screen, looked up and kept unique through their keyed hash."""

import pytest
from django.core.exceptions import FieldError
from django.db import IntegrityError, connection

from portal.accounts.models import User
from portal.crypto import blind_index, mask_id_number, mask_phone
from portal.estates.models import OwnerRecord, Resident
from tests import factories as f

PHONE = "13812345678"
ID_NUMBER = "110101199003071234"


def _raw(model, column, pk):
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {connection.ops.quote_name(column)} FROM {table} WHERE id = %s",
                       [pk])
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_user_phone_is_not_stored_in_clear():
    user = f.UserFactory(phone=PHONE)
    raw = _raw(User, "phone", user.pk)
    assert raw
    assert PHONE not in raw


@pytest.mark.django_db
def test_user_phone_reads_back_in_clear():
    user = f.UserFactory(phone=PHONE)
    assert User.objects.get(pk=user.pk).phone == PHONE


@pytest.mark.django_db
def test_resident_id_number_is_not_stored_in_clear(community_a):
    resident = f.ResidentFactory(community=community_a, id_number=ID_NUMBER)
    raw = _raw(Resident, "id_number", resident.pk)
    assert raw
    assert ID_NUMBER not in raw
    assert ID_NUMBER[-4:] not in raw


@pytest.mark.django_db
def test_owner_record_phone_and_id_number_are_not_stored_in_clear(house_a):
    record = f.OwnerRecordFactory(house=house_a, phone=PHONE, id_number=ID_NUMBER)
    assert PHONE not in _raw(OwnerRecord, "phone", record.pk)
    assert ID_NUMBER not in _raw(OwnerRecord, "id_number", record.pk)


@pytest.mark.django_db
def test_the_same_phone_encrypts_differently_each_time(house_a):
    first = f.OwnerRecordFactory(house=house_a, phone=PHONE)
    second = f.OwnerRecordFactory(house=house_a, phone=PHONE)
    assert _raw(OwnerRecord, "phone", first.pk) != _raw(OwnerRecord, "phone", second.pk)


@pytest.mark.django_db
def test_the_blind_index_is_stored_instead_of_the_phone():
    user = f.UserFactory(phone=PHONE)
    assert _raw(User, "phone_index", user.pk) == blind_index(PHONE)
    assert PHONE not in blind_index(PHONE)


@pytest.mark.django_db
def test_two_accounts_cannot_share_a_phone():
    f.UserFactory(phone=PHONE)
    with pytest.raises(IntegrityError):
        f.UserFactory(phone=PHONE)


@pytest.mark.django_db
def test_many_accounts_may_have_no_phone():
    f.UserFactory(phone="")
    f.UserFactory(phone="")
    assert User.objects.filter(phone_index__isnull=True).count() == 2


@pytest.mark.django_db
def test_find_by_phone_uses_the_blind_index():
    user = f.UserFactory(phone=PHONE)
    assert User.find_by_phone(PHONE) == user
    assert User.find_by_phone("13800000000") is None


@pytest.mark.django_db
def test_encrypted_fields_cannot_be_compared_in_the_database():
    with pytest.raises(FieldError):
        list(User.objects.filter(phone=PHONE))


def test_blind_index_differs_for_different_numbers():
    assert blind_index(PHONE) != blind_index("13812345679")


def test_mask_phone_keeps_the_first_three_and_last_four_digits():
    assert mask_phone(PHONE) == "138****5678"


def test_mask_phone_hides_a_short_value_entirely():
    assert mask_phone("12345") == "*****"


def test_mask_id_number_keeps_the_region_and_last_four():
    assert mask_id_number(ID_NUMBER) == "110***********1234"


def test_masks_of_empty_values_are_empty():
    assert (mask_phone(""), mask_id_number("")) == ("", "")
