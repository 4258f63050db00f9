import factory

from services.models import Ticket, TicketCategory


def category(company, name="水", kind=Ticket.Kind.REPAIR):
    """The company's default category of that name (created with the company)."""
    return TicketCategory.objects.get(company=company, kind=kind, name=name)


def submit(reporter, house=None, name="水", kind=Ticket.Kind.REPAIR, **fields):
    resident = reporter.resident
    fields.setdefault("description", "厨房水龙头漏水")
    ticket, _created = Ticket.submit(
        reporter=reporter, category=category(resident.community.company, name, kind),
        house=house, **fields)
    return ticket


class TicketFactory(factory.django.DjangoModelFactory):
    """A ticket written straight to the database (for lists and benchmarks); use
    submit() to go through the rules."""

    class Meta:
        model = Ticket

    description = "楼道灯不亮"
