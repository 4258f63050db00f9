"""What every provider answers with, and its errors."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal


class ProviderError(Exception):
    """The provider refused a request or could not be reached; the message is its own."""

    def __init__(self, message, code=""):
        super().__init__(message)
        self.code = code

    @property
    def outcome_unknown(self):
        """No answer to trust (the network, a signature that does not verify, WeChat Pay's
        own system error): the request may have been carried out."""
        return (self.code in ("NETWORK", "SIGN_ERROR", "SYSTEM_ERROR")
                or (self.code.isdigit() and int(self.code) >= 500))


class AlreadyPaid(ProviderError):
    """Closing an order the payer has just paid."""


class NotificationRejected(Exception):
    """A notification we must not act on (bad signature, stale, not ours...)."""

    def __init__(self, message, status=401):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class TradeResult:
    out_trade_no: str
    trade_state: str  # SUCCESS, NOTPAY, CLOSED, REFUND, USERPAYING, PAYERROR, REVOKED
    transaction_id: str = ""
    amount: Decimal = Decimal("0.00")
    paid_at: datetime | None = None
    channel: str = "wechat"
    mchid: str = ""
    appid: str = ""


@dataclass(frozen=True)
class RefundResult:
    out_refund_no: str
    status: str  # SUCCESS, PROCESSING, CLOSED, ABNORMAL
    refund_id: str = ""
    amount: Decimal = Decimal("0.00")
    succeeded_at: datetime | None = None
    mchid: str = ""
