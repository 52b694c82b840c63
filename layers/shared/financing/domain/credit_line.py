"""The tenant's credit line: what a lender lets the tenant draw in total, and the principal drawn.

A tenant without a line is not limited by one. With a line, funding draws the invoice's advance
(its principal) on the line and full repayment gives it back; the line is never exceeded.
"""

from enum import StrEnum

from pydantic import BaseModel

from financing.domain.errors import Conflict

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
