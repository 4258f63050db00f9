"""The payment admin: finance's listing (filters, search by number, .xlsx export), the
order page with its timeline, recording an offline payment and refunding, each refused
with a clear message and nothing changed when it cannot be done; and data permission:
staff of another community reach none of it by list, search, export or guessed id."""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from portal.payments.models import PaymentOrder, Refund

from .conftest import open_order

pytestmark = pytest.mark.django_db
State = PaymentOrder.State


@pytest.fixture
def orders(resident, neighbour, purpose_log):
    pending = open_order(resident, "88.50", description="2026年11月物业费")
    paid = open_order(neighbour, "120.00", description="车位管理费")
    paid.settle(transaction_id="420000000001", amount=Decimal("120.00"),
                paid_at=timezone.now(), channel="sandbox")
    return {"pending": pending, "paid": paid}


@pytest.fixture
def order_b(resident_b, purpose_log):
    return open_order(resident_b, "66.00", description="乙方小区物业费")


def listed(client, url_name="payment_orders:index_results", **params):
    response = client.get(reverse(url_name), params)
    assert response.status_code == 200
    return {row.pk for row in response.context["object_list"]}


def xlsx_cells(response):
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return [str(cell.value) for row in workbook.active.iter_rows() for cell in row]


# --- listing -------------------------------------------------------------------------------

def test_finance_lists_filters_and_searches_payment_orders(client, finance_a, orders):
    client.force_login(finance_a)
    assert listed(client) == {orders["pending"].pk, orders["paid"].pk}
    assert listed(client, state="paid") == {orders["paid"].pk}
    assert listed(client, channel="sandbox") == {orders["paid"].pk}
    assert listed(client, q=orders["pending"].out_trade_no) == {orders["pending"].pk}
    assert listed(client, q="车位") == {orders["paid"].pk}
    today = timezone.localdate().isoformat()
    assert len(listed(client, created_at_after=today)) == 2


def test_the_export_has_my_communitys_orders_only(client, finance_a, orders, order_b):
    client.force_login(finance_a)
    response = client.get(reverse("payment_orders:index"), {"export": "xlsx"})
    assert response.status_code == 200
    cells = xlsx_cells(response)
    assert orders["pending"].out_trade_no in cells
    assert orders["paid"].out_trade_no in cells
    assert order_b.out_trade_no not in cells


def test_the_order_page_shows_the_timeline(client, finance_a, orders):
    client.force_login(finance_a)
    response = client.get(reverse("payment_orders:inspect", args=[orders["paid"].pk]))
    assert response.status_code == 200
    actions = [event.action for event in response.context["events"]]
    assert actions == ["opened", "paid"]
    assert 'id="timeline"' in response.content.decode()


# --- data permission ---------------------------------------------------------------------

def test_staff_of_another_community_never_list_search_or_export_its_orders(
        client, finance_b, manager_b, orders, order_b):
    for user in (finance_b, manager_b):
        client.force_login(user)
        assert listed(client) == {order_b.pk}
        assert listed(client, q=orders["pending"].out_trade_no) == set()
        assert listed(client, q="物业费") == {order_b.pk}
        cells = xlsx_cells(client.get(reverse("payment_orders:index"), {"export": "xlsx"}))
        assert orders["pending"].out_trade_no not in cells


@pytest.mark.parametrize("view", ["inspect", "record_offline", "refund", "history"])
def test_staff_of_another_community_get_404_by_guessed_id(client, finance_b, orders, view):
    client.force_login(finance_b)
    url = reverse(f"payment_orders:{view}", args=[orders["paid"].pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"amount": "120.00", "reason": "x",
                             "method": "cash"}).status_code == 404
    assert not Refund.objects.exists()


def test_refunds_of_another_community_are_out_of_reach(client, finance_a, finance_b, orders):
    refund = orders["paid"].refund(amount=Decimal("20.00"), reason="退费", by=finance_a)
    client.force_login(finance_b)
    assert listed(client, "payment_refunds:index_results") == set()
    assert client.get(reverse("payment_refunds:inspect", args=[refund.pk])).status_code == 404
    cells = xlsx_cells(client.get(reverse("payment_refunds:index"), {"export": "xlsx"}))
    assert refund.out_refund_no not in cells
    client.force_login(finance_a)
    assert listed(client, "payment_refunds:index_results") == {refund.pk}


def test_leadership_sees_every_community(client, leadership, orders, order_b):
    client.force_login(leadership)
    assert listed(client) == {orders["pending"].pk, orders["paid"].pk, order_b.pk}


def test_a_resident_does_not_reach_the_admin(client, resident, orders):
    client.force_login(resident)
    response = client.get(reverse("payment_orders:index"))
    assert response.status_code in (302, 403)


def test_orders_cannot_be_added_or_edited_in_the_admin(client, finance_a, orders):
    client.force_login(finance_a)
    assert client.get(reverse("payment_orders:add")).status_code in (302, 403)
    assert client.get(reverse("payment_orders:edit",
                              args=[orders["pending"].pk])).status_code in (302, 403)


# --- finance's actions -------------------------------------------------------------------

def test_finance_records_an_offline_payment(client, finance_a, orders, purpose_log):
    order = orders["pending"]
    client.force_login(finance_a)
    url = reverse("payment_orders:record_offline", args=[order.pk])
    assert client.get(url).context["form"].initial["amount"] == Decimal("88.50")

    response = client.post(url, {"method": "bank_transfer", "amount": "88.50",
                                 "note": "转账 0099"})

    assert response.status_code == 302
    order.refresh_from_db()
    assert order.state == State.PAID
    assert order.offline_method == "bank_transfer"
    assert purpose_log.paid[-1] == order.out_trade_no


def test_an_offline_payment_of_another_amount_keeps_the_input(client, finance_a, orders,
                                                              purpose_log):
    order = orders["pending"]
    client.force_login(finance_a)
    response = client.post(reverse("payment_orders:record_offline", args=[order.pk]),
                           {"method": "cash", "amount": "80.00", "note": "收据 7"})
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["amount"] == [
        gettext("%(paid)s yuan was paid but the order asks %(amount)s yuan.") % {
            "paid": Decimal("80.00"), "amount": Decimal("88.50")}]
    assert form.data["note"] == "收据 7"
    order.refresh_from_db()
    assert order.state == State.PENDING
    assert order.out_trade_no not in purpose_log.paid


def test_finance_refunds_part_of_a_payment(client, finance_a, orders, purpose_log):
    order = orders["paid"]
    client.force_login(finance_a)
    response = client.post(reverse("payment_orders:refund", args=[order.pk]),
                           {"amount": "20.00", "reason": "多收了"})
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.state == State.PARTLY_REFUNDED
    assert order.refunded_amount == Decimal("20.00")
    assert Refund.objects.get().requested_by == finance_a


def test_a_refund_over_the_paid_amount_is_refused_with_the_input_kept(client, finance_a,
                                                                      orders):
    order = orders["paid"]
    client.force_login(finance_a)
    response = client.post(reverse("payment_orders:refund", args=[order.pk]),
                           {"amount": "120.01", "reason": "多收了"})
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["amount"] == [
        gettext("At most %(available)s yuan of this order can still be refunded.")
        % {"available": Decimal("120.00")}]
    assert form.data["reason"] == "多收了"
    assert not Refund.objects.exists()
    order.refresh_from_db()
    assert order.state == State.PAID


def test_a_refund_of_an_unpaid_order_is_refused(client, finance_a, orders):
    order = orders["pending"]
    client.force_login(finance_a)
    response = client.post(reverse("payment_orders:refund", args=[order.pk]),
                           {"amount": "10.00", "reason": "退费"})
    assert response.status_code == 302
    messages = [str(m).strip() for m in response.wsgi_request._messages]
    assert gettext("This order is %(state)s; only paid orders can be refunded.") % {
        "state": gettext("Awaiting payment")} in messages
    assert not Refund.objects.exists()


def test_staff_without_the_permission_cannot_refund(client, manager_a, orders):
    client.force_login(manager_a)
    url = reverse("payment_orders:refund", args=[orders["paid"].pk])
    # Wagtail sends a user without the permission back to the dashboard.
    assert client.post(url, {"amount": "10.00", "reason": "退费"}).status_code in (302, 403)
    assert not Refund.objects.exists()
