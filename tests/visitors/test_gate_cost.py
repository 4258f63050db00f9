"""What a guard's check costs the database: the same few queries whatever the verdict
(the session, the guard and their roles, the gate's community, the pass, the refusal
logged or whether the visitor is inside, the header's unread count), none repeated. A
query added per check is paid a million times a day at a busy gate."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from .gate_setup import *  # noqa: F403 (the fixtures)
from .gate_setup import gate_url, make_pass

pytestmark = pytest.mark.django_db

# session, user (with their profiles), roles, community, pass, log or last passage,
# unread messages
MOST_QUERIES = 7


@pytest.fixture
def codes(resident, house_a):
    return {
        "valid": make_pass(resident, house_a).code,
        "multi-entry": make_pass(resident, house_a, kind="multi").code,
        "expired": make_pass(resident, house_a, starts_in=timedelta(days=-2)).code,
        "unknown": "00000000",
    }


@pytest.mark.parametrize("kind", ["valid", "multi-entry", "expired", "unknown"])
def test_a_check_costs_a_few_queries_none_repeated(client, guard_a, codes, kind):
    client.force_login(guard_a)
    client.get(gate_url("check"), {"code": codes["valid"]})  # the session's first page

    with CaptureQueriesContext(connection) as queries:
        response = client.get(gate_url("check"), {"code": codes[kind]})

    assert response.status_code == 200
    statements = [query["sql"] for query in queries]
    assert len(statements) == len(set(statements)), statements
    assert len(statements) <= MOST_QUERIES, statements
