"""Parking cards: a refunded top-up leaves the card (balance or months), a refund the card
can no longer give back is refused, the card follows the space's house, and a months
value that is not a number is a message, not an error page."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from portal.payments.models import PaymentOrder
from services.billing import parking_cards
from services.billing.parking_cards import ParkingCard, ParkingCardEvent

from .factories import ParkingSpaceFactory

pytestmark = pytest.mark.django_db
D = Decimal


def paid(order, finance):
    order.record_offline(method="cash", amount=order.amount, by=finance)
    order.refresh_from_db()
    return order


def card_of(space, house):
    return ParkingCard.objects.get(space=space, house=house)


def test_a_refunded_top_up_leaves_the_card(house_a, resident, finance_a):
    space = ParkingSpaceFactory(community=house_a.community, house=house_a)
    order = paid(parking_cards.top_up(resident, space, amount="200", idempotency_key="p"),
                 finance_a)

    order.refund(amount=D("200.00"), reason="退费", by=finance_a)

    order.refresh_from_db()
    assert order.state == PaymentOrder.State.REFUNDED
    card = card_of(space, house_a)
    assert card.balance == D("0.00")
    events = list(card.events.order_by("pk").values_list("kind", "amount", "balance_after"))
    assert events == [("credit", D("200.00"), D("200.00")),
                      ("refund", D("-200.00"), D("0.00"))]


def test_a_refund_of_more_than_the_card_holds_is_refused(house_a, resident, finance_a):
    space = ParkingSpaceFactory(community=house_a.community, house=house_a)
    order = paid(parking_cards.top_up(resident, space, amount="200", idempotency_key="p"),
                 finance_a)
    card = card_of(space, house_a)
    card.balance = D("50.00")           # the gate drew 150 of it
    card.save()

    with pytest.raises(ValidationError) as refused:
        order.refund(amount=D("200.00"), reason="退费", by=finance_a)

    assert "amount" in refused.value.message_dict
    order.refresh_from_db()
    assert order.refunded_amount == D("0.00") and not order.refunds.exists()
    assert card_of(space, house_a).balance == D("50.00")
    # What is left can still be given back.
    order.refund(amount=D("50.00"), reason="退余额", by=finance_a)
    assert card_of(space, house_a).balance == D("0.00")


def test_a_refunded_months_top_up_takes_its_months_back(house_a, resident, finance_a):
    space = ParkingSpaceFactory(community=house_a.community, house=house_a,
                                monthly_fee=D("150.00"))
    order = paid(parking_cards.top_up(resident, space, months=3, idempotency_key="m"),
                 finance_a)
    three = card_of(space, house_a).paid_until
    assert three == parking_cards.add_months(timezone.localdate(), 3)

    with pytest.raises(ValidationError):           # not a whole month
        order.refund(amount=D("200.00"), reason="退费", by=finance_a)
    order.refund(amount=D("150.00"), reason="退一个月", by=finance_a)

    card = card_of(space, house_a)
    assert card.paid_until == parking_cards.add_months(three, -1)
    event = card.events.get(kind=ParkingCardEvent.Kind.REFUND)
    assert (event.months, event.amount, event.paid_until_after) == (
        -1, D("-150.00"), card.paid_until)


def test_months_already_used_cannot_be_refunded(house_a, resident, finance_a):
    space = ParkingSpaceFactory(community=house_a.community, house=house_a,
                                monthly_fee=D("150.00"))
    order = paid(parking_cards.top_up(resident, space, months=3, idempotency_key="m"),
                 finance_a)
    card = card_of(space, house_a)
    card.paid_until = timezone.localdate() + timedelta(days=40)   # two months have gone
    card.save()

    with pytest.raises(ValidationError):
        order.refund(amount=D("450.00"), reason="退费", by=finance_a)
    with pytest.raises(ValidationError):
        order.refund(amount=D("300.00"), reason="退费", by=finance_a)
    order.refund(amount=D("150.00"), reason="退一个月", by=finance_a)

    assert card_of(space, house_a).paid_until == parking_cards.add_months(
        timezone.localdate() + timedelta(days=40), -1)


def test_a_space_given_to_another_house_gets_a_card_of_its_own(client, house_a, house_a2,
                                                               resident, neighbour,
                                                               finance_a):
    space = ParkingSpaceFactory(community=house_a.community, house=house_a)
    paid(parking_cards.top_up(resident, space, amount="200", idempotency_key="p"), finance_a)
    space.house = house_a2                          # rented to the neighbour now
    space.save()

    client.force_login(neighbour)
    page = client.get(reverse("my_bills:parking")).content.decode()
    assert "200.00" not in page and "¥0.00" in page

    paid(parking_cards.top_up(neighbour, space, amount="100", idempotency_key="q"),
         finance_a)

    theirs, mine = card_of(space, house_a), card_of(space, house_a2)
    assert (theirs.balance, mine.balance) == (D("200.00"), D("100.00"))
    assert list(ParkingCard.objects.visible_to(neighbour)) == [mine]
    assert list(ParkingCard.objects.current()) == [mine]
    page = client.get(reverse("my_bills:parking")).content.decode()
    assert "¥100.00" in page and "200.00" not in page
    # The earlier household still sees what is left on its card, apart, not to top up.
    client.force_login(resident)
    page = client.get(reverse("my_bills:parking")).content.decode()
    assert 'id="earlier-cards"' in page and "¥200.00" in page
    assert 'id="parking-form"' not in page


def test_a_refund_after_the_space_moved_leaves_the_earlier_card(house_a, house_a2,
                                                                resident, finance_a):
    space = ParkingSpaceFactory(community=house_a.community, house=house_a)
    order = paid(parking_cards.top_up(resident, space, amount="200", idempotency_key="p"),
                 finance_a)
    space.house = house_a2
    space.save()

    order.refund(amount=D("200.00"), reason="车位转租退费", by=finance_a)

    assert card_of(space, house_a).balance == D("0.00")
    assert not ParkingCard.objects.filter(house=house_a2).exists()


def test_a_top_up_paid_after_the_space_moved_credits_the_payers_card(house_a, house_a2,
                                                                     resident, finance_a):
    space = ParkingSpaceFactory(community=house_a.community, house=house_a)
    order = parking_cards.top_up(resident, space, amount="100", idempotency_key="p")
    space.house = house_a2
    space.save()

    paid(order, finance_a)

    assert card_of(space, house_a).balance == D("100.00")
    assert not ParkingCard.objects.filter(house=house_a2).exists()


@pytest.mark.parametrize("months", ["1.5", "abc", "３x"])
def test_months_that_are_not_a_number_are_a_message(client, house_a, resident, months):
    space = ParkingSpaceFactory(community=house_a.community, house=house_a,
                                monthly_fee=D("150.00"))
    client.force_login(resident)

    response = client.post(reverse("my_bills:parking"),
                           {"space": space.pk, "months": months, "key": "x"})

    assert response.status_code == 400
    assert response.context["form"]["space"] == str(space.pk)
    assert response.context["form"]["months"] == months
    assert "1" in response.context["errors"][0] and "12" in response.context["errors"][0]
    assert not PaymentOrder.objects.exists()
    with pytest.raises(ValidationError) as refused:
        parking_cards.top_up(resident, space, months=months)
    assert list(refused.value.message_dict) == ["months"]


def test_a_card_is_credited_once_with_one_event(house_a, resident):
    space = ParkingSpaceFactory(community=house_a.community, house=house_a)
    order = parking_cards.top_up(resident, space, amount="500", idempotency_key="p")
    for _time in range(2):
        order.settle(transaction_id=None, amount=order.amount, paid_at=None,
                     channel=PaymentOrder.Channel.SANDBOX)

    card = card_of(space, house_a)
    assert card.balance == D("500.00")
    assert card.events.count() == 1
