"""Funding economics (factoring): the money rules of a financed invoice, written down once.

Integer minor units; every rounding is half-up (money.round_half_up). The lender advances part of the
invoice to the supplier; the buyer pays the whole invoice to the lender; the lender keeps its claim and
returns the rest to the supplier.

    advance (first_payment) = round(amount x advance_rate)
    discount (fee)          = round(advance x fee_rate)
    repayment_amount        = advance + discount             the lender's claim; never above the amount
    headroom                = amount - repayment_amount      what late fees may still take from the invoice
    late_payment_fees       = every late fee charged (below)
    recourse_amount         = max(0, late_payment_fees - headroom)    the fees beyond the headroom: a claim
                                                             on the supplier, not on the buyer's invoice
    fees within headroom    = late_payment_fees - recourse_amount
    outstanding_amount      = amount - collected             what the buyer still owes
    repayment_outstanding   = max(0, repayment_amount + fees within headroom - collected)
    second_payment          = collected - repayment_amount - fees within headroom   (the rebate, once
                                                             repaid; never negative, as fees within
                                                             headroom never exceed amount - claim)

Pricing whose claim would exceed the invoice amount is refused at funding; default pricing whose
exact claim rate, advance x (1 + fee), exceeds 100% is refused in the tenant's settings.

Payment allocation: the buyer's payments, in paid_date order, pay the claim first (advance and discount),
then the late fees within the headroom; the rest is the supplier's rebate. The claim is settled on the
paid_date on which the payments first cover repayment_amount + fees within headroom (`settlement_date`);
from then on the invoice no longer ages (no overdue, late fees or default).

Late fees: simple interest at the annual late rate, actual/365, on the unpaid claim (never on fees).
- The first overdue day is due_date + grace_days + 1 (`first_overdue_day`), and it is charged; so is
  every later day up to the day the fees are charged through (the financing's late_fees_through).
- A day is charged on the claim unpaid at its end: unpaid(d) = max(0, repayment_amount - the payments
  with a paid_date on or before d). A payment counts from its paid_date, so a claim paid on its first
  overdue day owes nothing for it.
- The fees through day T are charged exactly and rounded once (`late_fees`):
      round_half_up(sum over d in [first overdue day, T] of unpaid(d) x rate / (10000 x 365)),
  summed per segment of constant unpaid claim (between paid_dates). Each posting is that total less what
  was already posted, so the postings always add up to the once-rounded total. A payment recorded with
  a paid_date on or before late_fees_through re-rates the days already charged: its posting is an
  adjustment (negative when it lowers the fees). A payment dated after late_fees_through first charges
  the days before its paid_date that the daily job has not charged yet (an accrual).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from financing.domain.money import BASIS, apply_rate, round_half_up_ratio

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


def claim_rate_exceeds_amount(pricing: Pricing) -> bool:
    """The exact claim, advance x (1 + fee), is above 100% of the amount: a claim no invoice can pay."""
    return pricing.advance_rate * (BASIS + pricing.fee_rate) > BASIS * BASIS


def recourse(late_fees: int, headroom: int) -> int:
    """The late fees the invoice cannot carry: a claim on the supplier."""
    return max(0, late_fees - max(0, headroom))


def repayment_outstanding(repayment_amount: int, late_fees: int, collected: int) -> int:
    """What the buyer's payments still owe the lender; `late_fees` are the fees within the headroom."""
    return max(0, repayment_amount + late_fees - collected)


def rebate(collected: int, advance: Advance, late_fees: int) -> int:
    """What the lender returns to the supplier once the buyer has paid the whole invoice; `late_fees` are
    the fees within the headroom, so the rebate is never negative."""
    return collected - advance.first_payment - advance.discount - late_fees


def first_overdue_day(due_date: date, grace_days: int) -> date:
    return due_date + timedelta(days=grace_days + 1)


def late_fees(
    claim: int, late_rate: int, payments: Iterable[tuple[date, int]], first_day: date, through: date
) -> int:
    """Every late fee from `first_day` through `through` (inclusive), exact and rounded once.

    `payments` are (paid_date, amount); each lowers the unpaid claim from its paid_date on.
    """
    if through < first_day:
        return 0
    exact = 0  # the sum of unpaid(d) over the charged days, in minor-unit days
    unpaid, day = claim, first_day
    for effective, amount in sorted(payments):
        if effective > through:
            break
        if effective > day:
            exact += max(0, unpaid) * (effective - day).days
            day = effective
        unpaid -= amount
    exact += max(0, unpaid) * ((through - day).days + 1)
    return round_half_up_ratio(exact * late_rate, BASIS * DAYS_PER_YEAR)


def settlement_date(claim_due: int, payments: Iterable[tuple[date, int]]) -> date | None:
    """The paid_date on which the payments first cover `claim_due` (the claim and its fees within headroom)."""
    paid = 0
    for paid_date, amount in sorted(payments):
        paid += amount
        if paid >= claim_due:
            return paid_date
    return None
