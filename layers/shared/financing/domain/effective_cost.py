"""The annual effective cost (CET, Custo Efetivo Total) of a discounted receivable, from its charges and term.

A discount contract pays the customer the advance P (`first_payment`) less the IOF withheld when the
credit is released (domain.iof), on the disbursement date, and is settled by P + D (D = the discount) on
the due date, t days later. CET is the annual rate that makes those two cash flows equivalent on a
365-day year (Resolution CMN 3.517/2007: the CET counts interest, fees, taxes and insurance; its formula,
with one cash flow each way, FC0 being the credit less what is charged up front):

    P - IOF = (P + D) / (1 + CET) ** (t / 365)   =>   CET = ((P + D) / (P - IOF)) ** (365 / t) - 1

t = max(1, due date - disbursement date, in days); funding refuses a disbursement on or after the due
date, so t is the real term. Computed in Decimal (28 significant digits), rounded half-up to six decimals
(0.150000 = 15% a year), and capped at 999999.999999, the largest figure Open Finance's CET holds.
Late fees are contingent (only if the buyer pays late), so they are not part of the CET.
"""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

DAYS_PER_YEAR = 365
SIX_DECIMALS = Decimal("0.000001")
MAX_CET = Decimal("999999.999999")


def term_days(disbursed: date, due: date) -> int:
    return max(1, (due - disbursed).days)


def annual_effective_cost(advance: int, discount: int, days: int, iof: int = 0) -> Decimal:
    """CET as a fraction a year (0.150000 = 15%), six decimals, from integer minor units and the term;
    without `iof`, the discount's own effective annual rate."""
    if advance - iof <= 0:
        raise ValueError("the advance less the IOF must be positive")
    growth = (Decimal(advance + discount) / Decimal(advance - iof)) ** (
        Decimal(DAYS_PER_YEAR) / Decimal(days)
    )
    return min(growth - 1, MAX_CET).quantize(SIX_DECIMALS, rounding=ROUND_HALF_UP)
