"""WeChat Pay's notification endpoints and the owner's H5 cashier.

The cashier shows one order of the logged-in payer (through visible_to: a resident sees
only their own), asks WeChat Pay for the JSAPI parameters and lets our static script
open WeixinJSBridge; then it polls the status endpoint. Without merchant credentials it
is a demo cashier with a big, clearly labelled demo button."""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from portal.estates.errors import TransitionNotAllowed

from . import callbacks, purposes
from .models import Channel, PaymentOrder, State
from .providers import NotificationRejected, ProviderError, get_provider

logger = logging.getLogger(__name__)
QUERY_THROTTLE_SECONDS = 3


def _notification_view(handler):
    @csrf_exempt
    @require_POST
    def view(request):
        try:
            handler(request.headers, request.body)
        except NotificationRejected as error:
            logger.warning("WeChat Pay notification refused: %s", error)
            return JsonResponse({"code": "FAIL", "message": str(error)}, status=error.status)
        except TransitionNotAllowed as error:
            # Paid while closed here, or an amount that does not add up: not settled,
            # and WeChat Pay keeps telling us until someone looks.
            logger.error("WeChat Pay notification not applied: %s", error)
            return JsonResponse({"code": "FAIL", "message": str(error)}, status=500)
        return HttpResponse(status=204)

    return view


wechat_notify = _notification_view(callbacks.payment_notified)
wechat_refund_notify = _notification_view(callbacks.refund_notified)


def _my_order(request, out_trade_no):
    return get_object_or_404(PaymentOrder.objects.visible_to(request.user),
                             payer=request.user, out_trade_no=out_trade_no)


def _openid(user, appid):
    from portal.wechat.models import Follower

    return (Follower.objects.filter(user=user, account__appid=appid)
            .values_list("openid", flat=True).first())


@login_required
def cashier(request, out_trade_no):
    order = _my_order(request, out_trade_no)
    provider = get_provider()
    params, problem = None, ""
    if order.state == State.PENDING and not provider.is_sandbox:
        openid = _openid(request.user, provider.appid)
        if not openid:
            problem = _("Open this page in WeChat to pay.")
        else:
            try:
                params = order.prepay(openid)
            except TransitionNotAllowed as error:
                problem = str(error)
            except ProviderError as error:
                logger.warning("prepay of %s failed: %s", order.out_trade_no, error.code)
                problem = _("WeChat Pay is not available right now; try again later.")
    expired = order.expires_at <= timezone.now()
    return render(request, "payments/cashier.html", {
        "order": order, "params": params, "problem": problem,
        "sandbox": provider.is_sandbox, "expired": expired,
        # Paid, closed or expired: the ways back to what it was for.
        "ways_on": (purposes.ways_on(order) if order.state != State.PENDING or expired
                    else []),
    })


@login_required
def status(request, out_trade_no):
    """The order's state for the cashier's polling. With ?query=1 (the payer's WeChat
    said the payment went through) a pending order is looked up at WeChat Pay, at most
    once every few seconds, in case its notification is late."""
    order = _my_order(request, out_trade_no)
    if order.state == State.PENDING and request.GET.get("query") == "1" and \
            cache.add(f"payments:query:{order.pk}", True, QUERY_THROTTLE_SECONDS):
        try:
            order.sync_with_provider()
        except (ProviderError, TransitionNotAllowed) as error:
            logger.warning("query of %s failed: %s", order.out_trade_no, error)
        order.refresh_from_db()
    return JsonResponse({"state": order.state, "label": order.get_state_display(),
                         "paid": order.is_paid})


@login_required
@require_POST
def sandbox_pay(request, out_trade_no):
    """The demo cashier's button: settles through the same settle() as WeChat Pay."""
    if not get_provider().is_sandbox:
        raise Http404
    order = _my_order(request, out_trade_no)
    try:
        order.settle(transaction_id=None, amount=order.amount, paid_at=timezone.now(),
                     channel=Channel.SANDBOX, by=request.user)
    except TransitionNotAllowed as error:
        messages.error(request, str(error))
    return redirect(order.cashier_url)
