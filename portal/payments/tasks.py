"""The payment watch, as a background task (queued by ``manage.py payments_watch``):

- a pending order sent to WeChat Pay whose notification is late is looked up there
  (GET /v3/pay/transactions/out-trade-no/{no}) and settled if it is paid;
- an order past its expiry is closed, at WeChat Pay too (a payer who paid at the last
  moment is settled instead: WeChat Pay refuses to close a paid order);
- a refund whose notification is late is looked up and settled or failed.

Safe to run twice at once or again after a crash: every step goes through the order's
verbs, which lock the row and do nothing the second time."""

import logging

from django.utils.translation import gettext_lazy as _
from django_tasks import task

from portal.estates.errors import TransitionNotAllowed
from portal.site_language import in_site_language

from .providers import ProviderError

logger = logging.getLogger(__name__)


def _each(queryset, step, name):
    done = 0
    for item in queryset.order_by("pk").iterator():
        try:
            if step(item) is not False:
                done += 1
        except (ProviderError, TransitionNotAllowed) as error:
            # The next run tries again; one bad order does not stop the others.
            logger.warning("payment watch: %s of %s failed: %s", name, item, error)
    return done


def settle_late_orders():
    from .models import PaymentOrder

    now_pending = PaymentOrder.objects.overdue_for_query().exclude(
        pk__in=PaymentOrder.objects.expired().values("pk"))
    return _each(now_pending, lambda order: order.sync_with_provider(), "query")


def close_expired_orders():
    from .models import PaymentOrder

    def close(order):
        order.close(note=in_site_language(_("Expired unpaid")))
        return order.state == PaymentOrder.State.CLOSED

    return _each(PaymentOrder.objects.expired(), close, "close")


def check_late_refunds():
    from .models import Refund

    return _each(Refund.objects.overdue_for_query(), lambda refund: refund.sync_with_provider(),
                 "refund query")


@task
def watch_payments():
    return {"settled": settle_late_orders(), "closed": close_expired_orders(),
            "refunds": check_late_refunds()}
