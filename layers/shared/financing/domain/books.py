"""Every amount a family shows, read from the ledger: one function per amount concept, each computed
from the invoice's ledger image.

The image of an invoice is what its journal entries sum to: the cumulative positions
(`ledger.positions`) and the account balances their postings make (`balances`). Each entry an invoice
change writes is the difference of the images before and after (`ledger.postings_between`), so the
entries stored for an invoice sum to the image of the invoice in hand: a family derives every amount
from the invoice it already read, with no second read of the sub-ledger (tests prove the stored
sub-ledger equals this image). The families format the numbers (core decimals, Monite minor units, Open
Finance strings); none computes one from the invoice's money fields itself.

Terms, not balances, stay with the invoice: the invoice amount (Open Finance's warranty), the rates
(advance, fee, late fee and IOF rates, the CET and the discount rate, both computed from the pricing
terms), the dates (`settled_on`, due and disbursement dates), and Monite's offer terms shown before an
invoice is funded (no money has moved, so the ledger has nothing to say). `second_payment` is shown as
null until the invoice is repaid: whether it was repaid is the invoice's state; the amount is
`rebate_paid`.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from financing.domain.ledger import Account, positions, postings_between

if TYPE_CHECKING:
    from financing.domain.invoices import Invoice, Payment


def balances(invoice: "Invoice | None") -> dict[Account, int]:
    """The invoice's sub-ledger as its entries sum to it: signed balance (debit positive) per account,
    accounts at zero left out."""
    totals: dict[Account, int] = defaultdict(int)
    for posting in postings_between(None, invoice):
        totals[posting.account] += posting.signed
    return {account: value for account, value in totals.items() if value}


def _balance(invoice: "Invoice", account: Account) -> int:
    return balances(invoice).get(account, 0)


# ------------------------------------------------------------------------ what the lender paid out


def advanced(invoice: "Invoice") -> int:
    """The advance (principal): what left the lender's cash for the supplier plus the IOF withheld from it."""
    p = positions(invoice)
    return p["disbursed"] + p["iof_withheld"]


def disbursed_to_supplier(invoice: "Invoice") -> int:
    """What the supplier received: the advance less the IOF withheld."""
    return positions(invoice)["disbursed"]


def iof_withheld(invoice: "Invoice") -> int:
    """The IOF withheld from the advance, owed to the tax authority."""
    return -_balance(invoice, Account.IOF_PAYABLE)


# -------------------------------------------------------------------------------- what it earns


def fee_earned(invoice: "Invoice") -> int:
    """The discount: the lender's fee, earned when the invoice is funded."""
    return -_balance(invoice, Account.FEE_INCOME)


def late_fees_charged(invoice: "Invoice") -> int:
    """Every late fee charged, the recourse part included."""
    return -_balance(invoice, Account.LATE_FEE_INCOME)


def claim_amount(invoice: "Invoice") -> int:
    """The lender's claim before late fees: advance + discount, the repayment due."""
    return advanced(invoice) + fee_earned(invoice)


# ---------------------------------------------------------------------------- what was collected


def collected(invoice: "Invoice") -> int:
    """The cash the buyer's payments brought: the sum of the payments."""
    p = positions(invoice)
    return p["claim_paid"] + p["fees_paid"] + p["surplus"]


def paid_to_claim(invoice: "Invoice") -> int:
    """What the buyer's payments paid of the lender's claim and its late fees (the rest is rebate)."""
    p = positions(invoice)
    return p["claim_paid"] + p["fees_paid"]


def buyer_outstanding(invoice: "Invoice") -> int:
    """What the buyer still owes on the invoice: its amount (a term) less what the ledger collected."""
    return invoice.amount - collected(invoice)


# ------------------------------------------------------------------------------ what is still owed


def claim_receivable(invoice: "Invoice") -> int:
    """The claim on the buyer still on the books: unpaid advance + discount and late fees (0 once written
    off)."""
    b = balances(invoice)
    return b.get(Account.ADVANCES_RECEIVABLE, 0) + b.get(Account.LATE_FEES_RECEIVABLE, 0)


def late_fees_outstanding(invoice: "Invoice") -> int:
    """Late fees within the headroom the buyer has not paid and that are not written off."""
    return _balance(invoice, Account.LATE_FEES_RECEIVABLE)


def written_off(invoice: "Invoice") -> int:
    """The claim and late fees written off on default (a later payment reverses its share)."""
    return _balance(invoice, Account.WRITE_OFFS)


def claim_outstanding(invoice: "Invoice") -> int:
    """What the buyer still owes the lender on its claim, written off or not: core's
    repayment_outstanding, Open Finance's contractOutstandingBalance, the exposure report's overdue."""
    return claim_receivable(invoice) + written_off(invoice)


def recourse_outstanding(invoice: "Invoice") -> int:
    """Late fees beyond the headroom, claimed from the supplier (nothing collects them yet)."""
    return _balance(invoice, Account.RECOURSE_RECEIVABLE)


# --------------------------------------------------------------------------- the supplier's rebate


def rebate_payable(invoice: "Invoice") -> int:
    """Collections beyond the claim and its fees, held for the supplier and not yet paid back."""
    return -_balance(invoice, Account.REBATE_PAYABLE)


def rebate_paid(invoice: "Invoice") -> int:
    """What was paid back to the supplier (core's second_payment once repaid)."""
    return positions(invoice)["rebate_paid"]


# ---------------------------------------------------------------------------- payment by payment


@dataclass(frozen=True)
class ClaimRelease:
    """What one buyer payment paid of the lender's claim (never zero)."""

    payment: "Payment"
    amount: int


def claim_releases(invoice: "Invoice", payments: Iterable["Payment"] | None = None) -> list[ClaimRelease]:
    """Each payment's share of `paid_to_claim`, in paid-date order (then the order recorded): the change
    of the ledger's paid_to_claim as the payments are collected one after the other. Only the payments
    given (all the invoice's unless told) count; the claim is the invoice's as it stands."""
    f = invoice.financing
    if f is None:
        return []
    released, running, before = [], 0, 0
    for payment in sorted(invoice.payments if payments is None else payments, key=_paid_order):
        running += payment.amount
        image = invoice.model_copy(update={"financing": f.model_copy(update={"collected": running})})
        now = paid_to_claim(image)
        if now > before:
            released.append(ClaimRelease(payment, now - before))
        before = now
    return released


def _paid_order(payment: "Payment") -> tuple:
    return payment.paid_date, payment.recorded_at
