"""Funding economics (factoring), in integer minor units with half-up rounding.

The lender advances part of the invoice to the supplier; the buyer pays the whole invoice to the
lender; the lender keeps its claim (advance + discount + late fees) and returns the rest.

    advance (first_payment) = round(amount x advance_rate)
    discount (fee)          = round(advance x fee_rate)
    repayment_amount        = advance + discount                      the lender's claim
    outstanding_amount      = amount - collected                      what the buyer still owes
    repayment_outstanding   = max(0, repayment_amount + late_fees - collected)
    second_payment          = collected - advance - discount - late_fees   (the rebate, once repaid)

Late fees accrue daily while overdue, as simple interest at the tenant's annual late rate on the
claim still unpaid that day: round(max(0, repayment_amount - collected) x late_rate / 365), per day.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from financing.domain.money import BASIS, apply_rate, round_half_up

DAYS_PER_YEAR = 365


@dataclass(frozen=True)
class Pricing:
    advance_rate: int  # basis points of the amount, 10000 = 100%
    fee_rate: int  # basis points of the advance


@dataclass(frozen=True)
class Advance:
    first_payment: int
    discount: int

    @property
    def repayment_amount(self) -> int:
        return self.first_payment + self.discount


def advance_for(amount: int, pricing: Pricing) -> Advance:
    first_payment = apply_rate(amount, pricing.advance_rate)
    return Advance(first_payment=first_payment, discount=apply_rate(first_payment, pricing.fee_rate))


def repayment_outstanding(repayment_amount: int, late_fees: int, collected: int) -> int:
    return max(0, repayment_amount + late_fees - collected)


def rebate(collected: int, advance: Advance, late_fees: int) -> int:
    """What the lender returns to the supplier once the buyer has paid the whole invoice."""
    return collected - advance.first_payment - advance.discount - late_fees


def daily_late_fee(unpaid_claim: int, late_rate: int) -> int:
    return round_half_up(Decimal(max(0, unpaid_claim)) * Decimal(late_rate) / BASIS / DAYS_PER_YEAR)


def late_fees_between(unpaid_claim: int, late_rate: int, start: date, end: date) -> int:
    """Fees for the days after `start` up to and including `end` (the claim is unchanged meanwhile)."""
    days = (end - start).days
    return daily_late_fee(unpaid_claim, late_rate) * days if days > 0 else 0
