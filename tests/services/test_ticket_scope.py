"""Who sees a ticket, through the one choke point ``visible_to``: the owner their own,
a worker the ones assigned to them, customer service and managers their communities',
leadership the company's. Staff of the same community in other roles (finance, records,
editors, guards) see none of them, nor their timeline, photos or revisits: not in a
list, not on the owner's page by a guessed id, not in the photo view."""

import pytest
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.urls import reverse

from portal.estates import roles
from services.models import Revisit, Ticket, TicketAttachment, TicketEvent
from tests import factories as f
from tests.services.factories import submit

pytestmark = pytest.mark.django_db

RELATED = [TicketEvent, TicketAttachment, Revisit]


@pytest.fixture
def ticket(resident, house_a, worker_a, service_a, settings, tmp_path):
    settings.PRIVATE_ROOT = tmp_path
    ticket = submit(resident, house=house_a, kind=Ticket.Kind.COMPLAINT, name="噪音扰民",
                    description="楼上装修太吵")
    TicketAttachment.objects.create(
        ticket=ticket, community_id=ticket.community_id, event=ticket.events.first(),
        file=ContentFile(b"\xff\xd8\xff\xe0 photo", name="noise.jpg"), processed=True)
    Revisit.objects.create(ticket=ticket, community_id=ticket.community_id, by=service_a,
                           satisfied=True)
    return ticket


@pytest.fixture
def other_ticket(neighbour, house_a2, worker_a, service_a):
    ticket = submit(neighbour, house=house_a2, description="客厅灯不亮")
    ticket.dispatch(worker_a.staff, by=service_a)
    return ticket


def _staff_of_a(company, community_a, role):
    return f.StaffFactory(company=company, user__groups=[role],
                          communities=[community_a]).user


def _with_role(user, role):
    user.groups.add(Group.objects.get(name=role))
    return type(user).objects.get(pk=user.pk)  # its staff's roles read afresh


@pytest.mark.parametrize("persona", ["resident", "service_a", "manager_a", "leadership"])
def test_the_owner_the_desk_and_leadership_see_the_ticket_and_all_of_it(request, ticket,
                                                                      persona):
    user = request.getfixturevalue(persona)
    assert list(Ticket.objects.visible_to(user).filter(pk=ticket.pk)) == [ticket]
    assert TicketEvent.objects.visible_to(user).filter(ticket=ticket).exists()
    assert TicketAttachment.objects.visible_to(user).filter(ticket=ticket).exists()


@pytest.mark.parametrize("role", [roles.FINANCE, roles.RECORDS_ADMIN, roles.EDITOR,
                                  roles.GUARD])
def test_other_staff_of_the_community_see_nothing_of_it(client, company, community_a,
                                                        ticket, role):
    user = _staff_of_a(company, community_a, role)

    assert not Ticket.objects.visible_to(user).exists()
    for model in RELATED:
        assert not model.objects.visible_to(user).exists(), model.__name__
    client.force_login(user)
    assert client.get(reverse("services:ticket_detail", args=[ticket.pk])).status_code == 404
    photo = ticket.attachments.get()
    assert client.get(photo.file.url).status_code == 404


def test_a_worker_sees_the_assigned_ticket_and_not_the_others(worker_a, ticket,
                                                             other_ticket):
    assert list(Ticket.objects.visible_to(worker_a)) == [other_ticket]
    assert not Revisit.objects.visible_to(worker_a).exists()
    assert not TicketEvent.objects.visible_to(worker_a).filter(ticket=ticket).exists()


def test_a_worker_who_also_keeps_the_books_still_sees_only_assigned_tickets(
        company, community_a, ticket, other_ticket, worker_a):
    assert list(Ticket.objects.visible_to(_with_role(worker_a, roles.FINANCE))) == [
        other_ticket]


def test_a_worker_at_the_desk_too_sees_the_communitys_tickets(company, community_a, ticket,
                                                             other_ticket, worker_a):
    desk_worker = _with_role(worker_a, roles.CUSTOMER_SERVICE)
    assert set(Ticket.objects.visible_to(desk_worker)) == {ticket, other_ticket}


def test_the_desk_of_another_community_sees_nothing_of_it(manager_b, ticket):
    assert not Ticket.objects.visible_to(manager_b).exists()
    for model in RELATED:
        assert not model.objects.visible_to(manager_b).exists(), model.__name__
