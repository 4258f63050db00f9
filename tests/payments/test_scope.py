"""visible_to(user) of every payment model: staff see their communities' rows, leadership
the whole company, a payer their own, anyone else nothing."""

from decimal import Decimal

import pytest
from django.utils import timezone

from portal.payments.models import PaymentEvent, PaymentOrder, ReceivedNotification, Refund

from .conftest import open_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid_a(resident, purpose_log, finance_a):
    order = open_order(resident, "30.00")
    order.settle(transaction_id="4200000000000001", amount=Decimal("30.00"),
                 paid_at=timezone.now(), channel="sandbox")
    order.refund(amount=Decimal("10.00"), reason="退费", by=finance_a)
    ReceivedNotification.objects.create(notification_id="n-1", event_type="TRANSACTION.SUCCESS",
                                        order=order, community=order.community)
    return order


MODELS = [PaymentOrder, PaymentEvent, Refund, ReceivedNotification]


@pytest.mark.parametrize("model", MODELS)
def test_staff_of_the_community_see_its_rows(model, paid_a, finance_a, manager_a):
    for user in (finance_a, manager_a):
        assert model.objects.visible_to(user).exists()


@pytest.mark.parametrize("model", MODELS)
def test_staff_of_another_community_see_nothing(model, paid_a, finance_b, manager_b):
    for user in (finance_b, manager_b):
        assert not model.objects.visible_to(user).exists()


@pytest.mark.parametrize("model", MODELS)
def test_leadership_sees_the_whole_company(model, paid_a, leadership):
    assert model.objects.visible_to(leadership).exists()


@pytest.mark.parametrize("model", [PaymentOrder, PaymentEvent, Refund])
def test_the_payer_sees_their_own_and_a_neighbour_nothing(model, paid_a, resident, neighbour):
    assert model.objects.visible_to(resident).exists()
    assert not model.objects.visible_to(neighbour).exists()


@pytest.mark.parametrize("model", MODELS)
def test_outsiders_see_nothing(model, paid_a, outsider, merchant):
    for user in (outsider, merchant):
        assert not model.objects.visible_to(user).exists()
