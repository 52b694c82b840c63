"""The tenant's credit line: what a lender lets the tenant draw in total, and the principal drawn.

A tenant without a line is not limited by one. With a line, funding draws the invoice's advance
(its principal) on the line and full repayment gives it back; the line is never exceeded.

An invoice pushed for financing (Monite's `POST /v1/financing_invoices`) records the pricing plan it
was offered (the line's first plan at that moment); funding applies that plan, not the tenant's
settings: its advance and fee rates, and its repayment date:
- FIXED_DURATION: the disbursement date + `repayment_duration_days`;
- FIXED_DATE: one fixed date, the invoice's due date (when the buyer pays);
- MULTIPLE_DURATION: repaid in parts at the business's pace, at the latest on the due date.
A fund request may restate the plan's rates but not change them (409 `offer_terms_differ`): the terms
the business was shown are the terms it gets.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from pydantic import BaseModel

from financing.domain.errors import Conflict
from financing.domain.funding import Advance, Pricing, advance_for

UPDATED = "financing_offer.updated"


class RepaymentType(StrEnum):
    MULTIPLE_DURATION = "MULTIPLE_DURATION"
    FIXED_DURATION = "FIXED_DURATION"
    FIXED_DATE = "FIXED_DATE"


class PricingPlan(BaseModel):
    advance_rate: int  # basis points, 10000 = 100%
    fee_rate: int
    repayment_type: RepaymentType
    repayment_duration_days: int | None = None

    def repayment_date(self, disbursement_date: date, due_date: date) -> date:
        if self.repayment_type == RepaymentType.FIXED_DURATION and self.repayment_duration_days:
            return disbursement_date + timedelta(days=self.repayment_duration_days)
        return due_date


class OfferTermsDiffer(Conflict):
    pass


def offered_pricing(plan: PricingPlan, advance_rate: int | None, fee_rate: int | None) -> Pricing:
    """The plan's rates; a rate given with the fund request must be the plan's (409 otherwise)."""
    for name, given, offered in (
        ("advance_rate_percentage", advance_rate, plan.advance_rate),
        ("fee_percentage", fee_rate, plan.fee_rate),
    ):
        if given is not None and given != offered:
            raise OfferTermsDiffer(
                f"The invoice was offered {name} {offered}; it cannot be funded at {given}.",
                code="offer_terms_differ",
                details={name: offered},
            )
    return Pricing(advance_rate=plan.advance_rate, fee_rate=plan.fee_rate)


@dataclass(frozen=True)
class Quote:
    """What funding under a plan would book for an invoice: its advance and fee, and the repayment date."""

    advance: Advance
    repayment_date: date


def quote(plan: PricingPlan, amount: int, due_date: date, disbursement_date: date) -> Quote:
    """The plan's terms for an invoice disbursed on `disbursement_date`, priced exactly as funding prices an
    invoice offered `plan` (the same `offered_pricing`, `advance_for` and `repayment_date`)."""
    advance = advance_for(amount, offered_pricing(plan, None, None))
    return Quote(advance=advance, repayment_date=plan.repayment_date(disbursement_date, due_date))


class CreditLine(BaseModel):
    tenant_id: str
    total_amount: int  # minor units
    currency: str  # lower-case ISO 4217, as invoices hold it
    pricing_plans: list[PricingPlan]
    outstanding: int = 0  # principal of the tenant's financed, overdue and defaulted invoices drawn on it
    version: int = 0

    @property
    def available(self) -> int:
        return max(0, self.total_amount - self.outstanding)


class CreditLineExceeded(Conflict):
    pass


def check_draw(line: CreditLine, principal: int, currency: str) -> None:
    """Refuse a draw the line cannot take (409 `credit_line_exceeded`)."""
    if currency != line.currency:
        raise CreditLineExceeded(
            f"The credit line is in {line.currency.upper()}; it cannot fund a {currency.upper()} invoice.",
            code="credit_line_exceeded",
        )
    if line.outstanding + principal > line.total_amount:
        raise CreditLineExceeded(
            f"The advance of {principal} minor units exceeds the credit line's available amount of {line.available}.",
            code="credit_line_exceeded",
        )
