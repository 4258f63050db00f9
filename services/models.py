"""The services app's models, each area in its own module: tickets (repairs,
complaints, suggestions) now, billing next."""

from .pages import ComplaintPage, PhoneRepairPage, RepairPage  # noqa: F401
from .tickets.categories import TicketCategory  # noqa: F401
from .tickets.models import Revisit, Ticket, TicketAttachment, TicketEvent  # noqa: F401
from .tickets.roster import DispatchRule, DutyShift, WorkerTeam  # noqa: F401
