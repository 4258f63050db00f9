"""The demo provider: no merchant account, no money. The cashier shows a clearly marked
demo button that settles the order through the same settle() as a real payment."""

import secrets

from django.utils import timezone

from .base import RefundResult, TradeResult


class SandboxProvider:
    name = "sandbox"
    is_sandbox = True

    def prepay(self, order, openid):
        return f"sandbox-{secrets.token_hex(12)}"

    def jsapi_params(self, prepay_id):
        return {"appId": "sandbox", "timeStamp": str(int(timezone.now().timestamp())),
                "nonceStr": secrets.token_hex(16), "package": f"prepay_id={prepay_id}",
                "signType": "RSA", "paySign": "sandbox"}

    def query(self, order):
        # Nothing is paid anywhere but here.
        return TradeResult(order.out_trade_no, "NOTPAY")

    def close(self, order):
        return None

    def refund(self, refund):
        return RefundResult(refund.out_refund_no, "SUCCESS", amount=refund.amount,
                            succeeded_at=timezone.now())

    def query_refund(self, refund):
        return RefundResult(refund.out_refund_no, "SUCCESS", amount=refund.amount,
                            succeeded_at=timezone.now())

    def download_trade_bill(self, date):
        return []
