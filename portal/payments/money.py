"""Money is Decimal yuan with fen precision everywhere; WeChat Pay counts in fen, so the
conversion happens at its boundary only, exactly."""

from decimal import Decimal, InvalidOperation

FEN = Decimal("0.01")


def to_fen(amount):
    """Decimal yuan → int fen; refuses amounts finer than a fen instead of rounding."""
    amount = Decimal(amount)
    if amount != amount.quantize(FEN):
        raise ValueError(f"{amount} yuan is not a whole number of fen")
    return int(amount.quantize(FEN) * 100)


def from_fen(fen):
    if isinstance(fen, bool) or not isinstance(fen, int):
        raise ValueError(f"{fen!r} is not a whole number of fen")
    return (Decimal(fen) / 100).quantize(FEN)


def yuan(value):
    """A yuan amount from text or a number (never a float), or ValueError."""
    if isinstance(value, float):
        raise ValueError("amounts are never floats")
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f"{value!r} is not an amount") from None
    if not amount.is_finite() or amount != amount.quantize(FEN):
        raise ValueError(f"{value!r} is not an amount in yuan and fen")
    return amount.quantize(FEN)
