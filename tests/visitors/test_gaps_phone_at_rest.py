"""The visitor's mobile number at rest: the database holds it encrypted, the model reads
it in clear, and what the desk is shown of it hides the middle digits."""

import pytest
from django.db import connection

from services.visitors.models import VisitorPass

from .gate_setup import make_pass

pytestmark = pytest.mark.django_db
PHONE = "13912345678"


def stored_phone(visitor_pass):
    """The column as the database holds it, past the model field."""
    table = connection.ops.quote_name(VisitorPass._meta.db_table)
    column = connection.ops.quote_name(VisitorPass._meta.get_field("visitor_phone").column)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [visitor_pass.pk])
        return cursor.fetchone()[0]


def test_the_visitor_s_phone_is_stored_encrypted_and_read_in_clear(resident, house_a):
    visitor_pass = make_pass(resident, house_a, visitor_phone=PHONE)

    raw = stored_phone(visitor_pass)
    assert raw  # something is stored...
    assert PHONE not in raw and PHONE[3:] not in raw  # ...but not the number

    read = VisitorPass.objects.get(pk=visitor_pass.pk)
    assert read.visitor_phone == PHONE
    assert read.masked_phone == "139****5678"
    assert "1234" not in read.masked_phone
