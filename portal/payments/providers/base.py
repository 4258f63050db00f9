"""What every provider answers with, and its errors."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal


class ProviderError(Exception):
    """The provider refused a request or could not be reached; the message is its own."""

    def __init__(self, message, code="", status=None):
        super().__init__(message)
        self.code = code
        self.status = status  # WeChat Pay's HTTP status, when it answered

    @property
    def outcome_unknown(self):
        """No answer to trust (the network, an answer whose signature does not verify,
        an error of WeChat Pay's own system): the request may have been carried out."""
        return (self.code in ("NETWORK", "ANSWER_UNVERIFIED")
                or (self.status is not None and self.status >= 500))


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
