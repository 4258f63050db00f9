import pytest

from tests.services.factories import submit


@pytest.fixture
def ticket(resident, house_a):
    """A water repair in the resident's house, just submitted (no dispatch rules)."""
    return submit(resident, house=house_a)
