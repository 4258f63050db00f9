"""Benchmark: WeChat Pay repeating its payment notifications, many at the same moment.

50 pending payment orders, opened and sent to WeChat Pay (the local stub, over HTTP) as
JSAPI orders; each is paid at the stub, which then sends 4 notifications for it: the
same notification twice and two more with their own notification ids (retries that
overlap), 200 in all. They are posted all at once (200 connections opened beforehand, a
barrier, then every request written) to gunicorn (2 workers, production settings) on
port 8720 with a fresh PostgreSQL database. Every notification is signed with the stub's
platform key and its resource encrypted with the APIv3 key, so the server runs the whole
verification as in production.

Checks: every notification answered 204, exactly 50 settlements (one "paid" event per
order, every order paid). Target: p99 under 200 ms. Baseline: the trivial view /healthz,
200 requests posted the same way to the same server, in the same run.
"""

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.burst import burst
from bench.home_page import ROOT, _database, _environment, _gunicorn, _manage, _row

BENCHMARK = "payment notifications"
PORT = 8720
ORDERS = 50
PER_ORDER = 4
P99_TARGET_MS = 200
MCHID = "1900000109"
APPID = "wxbenchpayapp001"
APIV3_KEY = "benchAPIv3key0123456789abcdefABC"
SERIAL_NO = "BENCH0000000000000000000000000000000001"
REDIS_URL = "redis://127.0.0.1:6379/12"

SETUP = """
import django; django.setup()
from decimal import Decimal
from portal.accounts.models import User
from portal.estates.models import Community, Company
from portal.payments.apps import CHECK_PURPOSE
from portal.payments.models import PaymentOrder
company = Company.objects.create(name="基准物业")
community = Community.objects.create(company=company, name="基准花园", code="bench")
payer = User.objects.create_user(username="bench-payer")
numbers = []
for number in range({orders}):
    order = PaymentOrder.objects.open(purpose=CHECK_PURPOSE, payer=payer,
                                      community=community,
                                      amount=Decimal("100.00") + number,
                                      description="物业费 %d" % number)
    order.prepay("o-bench-openid")
    numbers.append(order.out_trade_no)
print(" ".join(numbers))
"""


def run():
    from portal.payments.stub import WeChatPayStub, new_key_pair

    private_key, public_key = new_key_pair()
    stub = WeChatPayStub("127.0.0.1", 0, mchid=MCHID, appid=APPID, apiv3_key=APIV3_KEY,
                         merchant_public_key=public_key, merchant_serial_no=SERIAL_NO)
    stub.start()
    try:
        with tempfile.TemporaryDirectory(prefix="bench-pay-") as tmp, \
                _database(Path(tmp), "payments") as (database_url, database):
            env = _environment_of_our_own(database_url, Path(tmp))
            env.update(
                WECHATPAY_MCHID=MCHID, WECHATPAY_APPID=APPID, WECHATPAY_APIV3_KEY=APIV3_KEY,
                WECHATPAY_CERT_SERIAL_NO=SERIAL_NO, WECHATPAY_PRIVATE_KEY=private_key,
                WECHATPAY_PUBLIC_KEY=stub.platform_public_key,
                WECHATPAY_PUBLIC_KEY_ID=stub.public_key_id, WECHATPAY_BASE_URL=stub.url,
                WECHATPAY_NOTIFY_BASE_URL=f"http://127.0.0.1:{PORT}")
            _manage(env, "migrate", "--noinput")
            numbers = _open_orders(env)
            notes = []
            for number in numbers:
                stub.pay(number, notify=False)
                same = stub.payment_notification(number)
                notes += [same, same, stub.payment_notification(number),
                          stub.payment_notification(number)]
            with _gunicorn(env, Path(tmp), port=PORT) as base:
                trivial = burst([("GET", f"{base}/healthz", {}, None)] * len(notes))
                notified = burst([("POST", note.url, note.headers, note.body)
                                   for note in notes])
            settled, paid = _count_settlements(env)
    finally:
        stub.stop()

    name = f"{BENCHMARK} ({database})"
    all_answered = notified["statuses"] == {204: len(notes)}
    return [
        _row(name, f"trivial view /healthz, {len(notes)} at once, p50", trivial["p50"], "ms"),
        _row(name, "trivial view p99", trivial["p99"], "ms"),
        _row(name, f"{len(notes)} duplicate notifications for {ORDERS} orders, p50",
             notified["p50"], "ms"),
        _row(name, "notifications p99", notified["p99"], "ms", f"< {P99_TARGET_MS} ms",
             notified["p99"] < P99_TARGET_MS),
        _row(name, "notifications answered 204", notified["statuses"].get(204, 0), "",
             f"= {len(notes)}", all_answered),
        _row(name, "settlements", settled, "", f"= {ORDERS}",
             settled == ORDERS and paid == ORDERS),
        _row(name, "all at once, wall time", notified["wall"], "ms"),
    ]


def _environment_of_our_own(database_url, tmp):
    """The shared production-like environment, with a Redis database of this benchmark's
    own (the helper empties the one it is given)."""
    saved = os.environ.get("REDIS_URL")
    os.environ.setdefault("REDIS_URL", REDIS_URL)
    try:
        return _environment(database_url, tmp)
    finally:
        if saved is None:
            os.environ.pop("REDIS_URL")


def _open_orders(env):
    result = subprocess.run([sys.executable, "-c", SETUP.format(orders=ORDERS)], cwd=ROOT,
                            env=env, check=True, capture_output=True, text=True)
    numbers = result.stdout.split()
    if len(numbers) != ORDERS:
        raise RuntimeError(f"expected {ORDERS} orders, got {result.stdout[-500:]}")
    return numbers


def _count_settlements(env):
    code = ("import django; django.setup()\n"
            "from portal.payments.models import PaymentEvent, PaymentOrder\n"
            "print(PaymentEvent.objects.filter(action='paid').count(),"
            " PaymentOrder.objects.filter(state='paid').count())\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True,
                            capture_output=True, text=True)
    settled, paid = result.stdout.split()[-2:]
    return int(settled), int(paid)


if __name__ == "__main__":
    rows = run()
    print(json.dumps(rows, indent=2, ensure_ascii=False, default=str))
    sys.exit(0 if all(row.get("ok", True) is not False for row in rows) else 1)
