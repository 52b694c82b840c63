"""Money: integer minor units plus an ISO 4217 currency, and the one rounding rule (half-up).

Decimal major units (the core and Pismo families) are converted here and nowhere else; an amount with
more decimals than its currency has is refused rather than rounded.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

# Minor-unit exponent of each currency the platform accepts.
EXPONENTS = {"usd": 2, "gbp": 2, "eur": 2, "brl": 2}
BASIS = 10_000  # percentages are integers where 10000 = 100%


class MoneyError(ValueError):
    pass


def exponent(currency: str) -> int:
    try:
        return EXPONENTS[currency.lower()]
    except KeyError:
        raise MoneyError(f"unsupported currency '{currency}'") from None


def to_minor(amount: Decimal | int | str, currency: str) -> int:
    """Decimal major units to integer minor units, refusing more decimals than the currency has.

    A float is refused (TypeError): it has already lost the digits beyond its 15 to 17 (bodies are
    parsed with exact decimals, financing.exact_json), so it is a bug wherever one gets here."""
    if isinstance(amount, float):
        raise TypeError("an amount must be a Decimal, an int or a numeric string, never a float")
    try:
        value = Decimal(str(amount))
    except InvalidOperation:
        raise MoneyError("must be a number") from None
    if not value.is_finite():
        raise MoneyError("must be a finite number")
    scaled = value.scaleb(exponent(currency))
    if scaled != scaled.to_integral_value():
        raise MoneyError(f"has more than {exponent(currency)} decimal places for {currency}")
    return int(scaled)


def to_major(minor: int, currency: str) -> Decimal:
    return Decimal(minor).scaleb(-exponent(currency))


def round_half_up(value: Decimal) -> int:
    return int(value.to_integral_value(rounding=ROUND_HALF_UP))


def round_half_up_ratio(numerator: int, denominator: int) -> int:
    """`numerator / denominator` (a non-negative numerator, a positive denominator) rounded half-up, exactly."""
    return (2 * numerator + denominator) // (2 * denominator)


def apply_rate(minor: int, rate_basis_points: int) -> int:
    """`minor x rate`, with the rate in 1/10000ths (10000 = 100%), rounded half-up to a minor unit."""
    return round_half_up(Decimal(minor) * Decimal(rate_basis_points) / BASIS)
