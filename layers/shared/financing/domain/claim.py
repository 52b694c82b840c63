"""How the buyer's payments settle the lender's claim, and what is left over for the supplier.

The lender's claim on a financed invoice is its advance + discount + the late fees within the invoice's
headroom (fees beyond it are a recourse claim on the supplier, never paid from the buyer's invoice). Each buyer payment goes
to the claim first, in paid-date order (then in the order recorded); once the claim is paid in full the
contract is settled, on the paid date of the payment that completed it, and whatever the buyer pays
beyond the claim is the supplier's rebate (`second_payment`), not a payment on the contract.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from financing.domain.invoices import Invoice, Payment


@dataclass(frozen=True)
class ClaimPayment:
    """The part of one buyer payment that went to the lender's claim (never zero)."""

    payment: "Payment"
    amount: int


def claim_of(invoice: "Invoice") -> int:
    f = invoice.financing
    return 0 if f is None else f.repayment_amount + f.late_fees_within_headroom


def claim_payments(invoice: "Invoice", payments: Iterable["Payment"] | None = None) -> list[ClaimPayment]:
    """What settles the claim, payment by payment, in paid-date order (all the invoice's payments unless told)."""
    remaining = claim_of(invoice)
    applied = []
    for payment in sorted(invoice.payments if payments is None else payments, key=_paid_order):
        part = min(payment.amount, remaining)
        if part <= 0:
            break
        applied.append(ClaimPayment(payment, part))
        remaining -= part
    return applied


def settled_on(invoice: "Invoice") -> date | None:
    """The date the claim was paid in full, or None while any of it is unpaid."""
    applied = claim_payments(invoice)
    if invoice.financing is None or sum(a.amount for a in applied) < claim_of(invoice):
        return None
    return applied[-1].payment.paid_date if applied else None


def _paid_order(payment: "Payment") -> tuple[date, object]:
    return payment.paid_date, payment.recorded_at
