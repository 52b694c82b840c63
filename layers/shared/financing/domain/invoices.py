"""Invoices and everything that happens to them, as pure functions over the model.

Each operation checks the state machine (lifecycle.py), applies the rule, and returns the changed
invoice with the transition it made; storage and events are the services' business.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel

from financing.domain import funding, iof
from financing.domain.credit_line import PricingPlan
from financing.domain.errors import FieldProblem, InvalidInput, StateConflict, Unprocessable
from financing.domain.lifecycle import EXPOSED, Action, Status, check, next_status
from financing.ids import new_id

# What the invoice announces: its draft's edits, each status it reaches (`invoice.<status>`; a draft is
# `created`), a signature that does not yet approve it, each payment, and late fees that change no status.
CREATED = "invoice.created"
UPDATED = "invoice.updated"
DELETED = "invoice.deleted"
REACHED = {status: f"invoice.{status.value}" for status in Status if status is not Status.DRAFT}
SIGNED = "invoice.signed"
PAYMENT_RECEIVED = "invoice.payment_received"
LATE_FEES_ACCRUED = "invoice.late_fees_accrued"
EVENT_NAMES = (CREATED, UPDATED, DELETED, *REACHED.values(), SIGNED, PAYMENT_RECEIVED, LATE_FEES_ACCRUED)


class TypeOfGoods(StrEnum):
    COMMODITIES = "commodities"
    PERISHABLES = "perishables"
    OTHER = "other"


class InvoiceType(StrEnum):
    RECEIVABLE = "receivable"
    PAYABLE = "payable"


class Party(StrEnum):
    SUPPLIER = "supplier"
    BUYER = "buyer"


class SessionStatus(StrEnum):
    OPEN = "open"
    COMPLETED = "completed"
    DECLINED = "declined"


class FinancingSession(BaseModel):
    id: str
    status: SessionStatus = SessionStatus.OPEN
    submitted_by: str | None = None
    supporting_documents: list[dict[str, str]] = []
    created: datetime


class Payment(BaseModel):
    id: str
    amount: int
    paid_date: date
    reference: str
    recorded_at: datetime


class LateFeePosting(BaseModel):
    """One change of the late fees charged (funding.py has the rule): the ageing job's accrual through a
    day, or the adjustment a backdated payment makes to the days already charged (negative when it
    lowers them). The postings of a financing add up to its late_payment_fees and recourse_amount."""

    kind: Literal["accrual", "adjustment"]
    through: date  # the fees are charged for the days up to and including this one
    amount: int  # the change of late_payment_fees (minor units; negative lowers them)
    recourse: int = 0  # the part of `amount` that changed recourse_amount (the claim on the supplier)
    posted_at: datetime


class Financing(BaseModel):
    """The money of a financed invoice, in minor units of the invoice's currency (rules: funding.py).

    A ledger derives its postings from these fields: the advance paid out (first_payment), the discount
    earned, the buyer's payments (collected), each late fee posting, the recourse claim on the supplier
    (recourse_amount) and the rebate paid back to the supplier (second_payment).
    """

    advance_rate: int  # basis points of the amount (10000 = 100%)
    fee_rate: int  # basis points of the advance
    first_payment: int  # the advance paid to the supplier
    discount: int  # the lender's fee on the advance
    collected: int = 0  # the sum of the buyer's payments
    # Every late fee charged (the sum of late_fee_postings), the recourse part included.
    late_payment_fees: int = 0
    # The part of late_payment_fees beyond the invoice's headroom (amount - repayment_amount): a claim
    # on the supplier, never on the buyer's invoice. All of it is outstanding: nothing collects it yet.
    recourse_amount: int = 0
    late_fee_rate: int | None = None  # the annual late rate (basis points) charged, fixed when first overdue
    late_fees_through: date | None = None  # the last day late fees are charged for
    late_fee_postings: list[LateFeePosting] = []
    second_payment: int | None = None  # the rebate to the supplier, once the invoice is repaid
    # The paid_date on which the buyer's payments first covered the claim and its fees within headroom
    # (repayment_outstanding reached 0); the invoice no longer ages from then on.
    settled_on: date | None = None
    funded_at: datetime
    disbursement_date: date
    repayment_date: date | None = None  # when the business repays the lender (None: the due date)
    repaid_at: datetime | None = None
    # The advance was drawn on the tenant's credit line (so repayment gives it back to the line).
    on_credit_line: bool = False
    # The supplier's tax id when funded: the contract's customer, to whom Open Finance shares it.
    customer_document: str | None = None
    # IOF withheld from the advance at funding (domain.iof): the rates funded at, the amount in minor units.
    iof_daily_rate: int = 0
    iof_additional_rate: int = 0
    iof: int = 0

    @property
    def repayment_amount(self) -> int:
        """The lender's claim on the invoice, before late fees."""
        return self.first_payment + self.discount

    @property
    def late_fees_within_headroom(self) -> int:
        """The late fees the buyer's payments owe (the rest is recourse on the supplier)."""
        return self.late_payment_fees - self.recourse_amount


class Invoice(BaseModel):
    id: str
    tenant_id: str
    supplier: str
    buyer: str
    invoice_number: str
    client_reference_id: str
    invoice_document: str
    # The document as last seen (name, purpose, format, status): its status only ever moves from
    # pending_upload to uploaded, which submission requires, so after submission it is final.
    document: dict | None = None
    amount: int
    currency: str
    type_of_goods: list[TypeOfGoods]
    issue_date: date
    due_date: date
    type: InvoiceType = InvoiceType.RECEIVABLE
    description: str | None = None
    credit_rights_internal_number: str | None = None  # a registered receivable (brl)
    status: Status = Status.DRAFT
    status_reason: str | None = None
    signatures: dict[Party, str] = {}
    sessions: list[FinancingSession] = []
    offered_plan: PricingPlan | None = None  # the plan offered when pushed for financing (Monite)
    payments: list[Payment] = []
    financing: Financing | None = None
    overdue_since: date | None = None
    created: datetime
    updated: datetime
    version: int = 1

    @property
    def outstanding_amount(self) -> int:
        """What the buyer still owes on the invoice."""
        return self.amount - (self.financing.collected if self.financing else 0)

    @property
    def repayment_outstanding(self) -> int | None:
        if self.financing is None:
            return None
        f = self.financing
        return funding.repayment_outstanding(f.repayment_amount, f.late_fees_within_headroom, f.collected)

    @property
    def headroom(self) -> int:
        """What late fees may take from the invoice before they become recourse on the supplier."""
        return self.amount - (self.financing.repayment_amount if self.financing else 0)

    @property
    def exposure(self) -> int:
        """The principal this invoice holds against its buyer's limit: from funding until the claim is
        settled (what the buyer pays after that is the supplier's rebate, no risk of the lender's)."""
        f = self.financing
        return f.first_payment if f and f.settled_on is None and self.status in EXPOSED else 0


@dataclass(frozen=True)
class Transition:
    """One change of status (or a recorded event within a status, such as a payment)."""

    action: Action
    from_status: Status
    to_status: Status
    reason: str | None = None


class PaymentExceedsOutstanding(Unprocessable):
    code = "payment_exceeds_outstanding"


class ClaimExceedsInvoice(Unprocessable):
    """The pricing gives a claim (advance + discount) the invoice amount cannot pay."""

    code = "claim_exceeds_invoice"

    def __init__(self, amount: int, advance: funding.Advance) -> None:
        super().__init__(
            f"The lender's claim of {advance.repayment_amount} minor units (advance {advance.first_payment} "
            f"+ discount {advance.discount}) exceeds the invoice amount of {amount}.",
            [
                FieldProblem(name, "gives a claim above the invoice amount")
                for name in ("advance_rate_percentage", "fee_percentage")
            ],
        )


class PreconditionFailed(StateConflict):
    """The invoice cannot take this step yet (409), for a reason named by `code`."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message, code=code)


# ------------------------------------------------------------------------------------------ drafting


def _check_fields(
    *,
    supplier: str,
    buyer: str,
    amount: int,
    issue_date: date,
    due_date: date,
    type_of_goods: list,
    today: date,
    currency: str = "",
    credit_rights: str | None = None,
) -> None:
    problems = []
    if supplier == buyer:
        problems.append(FieldProblem("buyer", "must be a different company from the supplier"))
    if amount <= 0:
        problems.append(FieldProblem("amount", "must be greater than 0"))
    if issue_date > today:
        problems.append(FieldProblem("issue_date", "cannot be after today"))
    if due_date <= issue_date:
        problems.append(FieldProblem("due_date", "must be after the issue date"))
    if credit_rights and currency != "brl":
        problems.append(
            FieldProblem("credit_rights_internal_number", "only a brl invoice can reference a receivable")
        )
    if not type_of_goods or len(set(type_of_goods)) != len(type_of_goods):
        problems.append(FieldProblem("type_of_goods", "must be a non-empty set of types of goods"))
    if problems:
        raise InvalidInput(problems)


def draft_invoice(*, tenant_id: str, now: datetime, **fields) -> Invoice:
    _check_fields(
        supplier=fields["supplier"],
        buyer=fields["buyer"],
        amount=fields["amount"],
        issue_date=fields["issue_date"],
        due_date=fields["due_date"],
        type_of_goods=fields["type_of_goods"],
        today=now.date(),
        currency=fields["currency"],
        credit_rights=fields.get("credit_rights_internal_number"),
    )
    # The id's ULID carries `created` to the millisecond, so the id order is the creation order.
    return Invoice(id=new_id("inv", at=now), tenant_id=tenant_id, created=now, updated=now, **fields)


def revise_draft(invoice: Invoice, changes: dict, now: datetime) -> Invoice:
    check(Action.EDIT, invoice.status)
    merged = invoice.model_copy(update={**changes, "updated": now, "version": invoice.version + 1})
    _check_fields(
        supplier=merged.supplier,
        buyer=merged.buyer,
        amount=merged.amount,
        issue_date=merged.issue_date,
        due_date=merged.due_date,
        type_of_goods=merged.type_of_goods,
        today=now.date(),
        currency=merged.currency,
        credit_rights=merged.credit_rights_internal_number,
    )
    return Invoice.model_validate(merged.model_dump())


def check_deletable(invoice: Invoice) -> None:
    check(Action.DELETE, invoice.status)


def check_submittable(invoice: Invoice) -> None:
    check(Action.SUBMIT, invoice.status)


# ----------------------------------------------------------------------------------------- transitions


def _moved(invoice: Invoice, action: Action, to: Status, now: datetime, reason: str | None = None, **changes):
    changed = invoice.model_copy(
        update={
            "status": to,
            "status_reason": reason,
            "updated": now,
            "version": invoice.version + 1,
            **changes,
        }
    )
    return changed, Transition(action, invoice.status, to, reason)


def submit(
    invoice: Invoice,
    *,
    now: datetime,
    buyer_limit_approved: bool,
    document_uploaded: bool,
    session: FinancingSession | None = None,
    document: dict | None = None,
) -> tuple[Invoice, Transition]:
    """Submit for financing. From draft it opens a session; after a request for information it resumes it."""
    to = next_status(Action.SUBMIT, invoice.status)
    if not buyer_limit_approved:
        raise PreconditionFailed("buyer_limit_not_approved", "The buyer's latest limit is not approved.")
    if invoice.due_date < now.date():
        raise PreconditionFailed("invoice_past_due", "The invoice is past its due date.")
    if not document_uploaded:
        raise PreconditionFailed("document_not_uploaded", "The invoice document has not been uploaded yet.")
    sessions = invoice.sessions
    if invoice.status == Status.DRAFT:
        sessions = [*sessions, session or FinancingSession(id=new_id("ifs"), created=now)]
    return _moved(invoice, Action.SUBMIT, to, now, sessions=sessions, document=document or invoice.document)


def request_info(invoice: Invoice, reason: str, now: datetime) -> tuple[Invoice, Transition]:
    return _moved(invoice, Action.REQUEST_INFO, next_status(Action.REQUEST_INFO, invoice.status), now, reason)


def decline(invoice: Invoice, reason: str, now: datetime) -> tuple[Invoice, Transition]:
    to = next_status(Action.DECLINE, invoice.status)
    return _moved(
        invoice, Action.DECLINE, to, now, reason, sessions=_close_sessions(invoice, SessionStatus.DECLINED)
    )


def request_signatures(invoice: Invoice, now: datetime) -> tuple[Invoice, Transition]:
    to = next_status(Action.REQUEST_SIGNATURES, invoice.status)
    return _moved(invoice, Action.REQUEST_SIGNATURES, to, now, signatures={})


def sign(
    invoice: Invoice, party: Party, contact_id: str, *, is_signatory: bool, now: datetime
) -> tuple[Invoice, Transition]:
    """Record a signature by a signatory contact of `party`; both parties signed makes the invoice approved."""
    check(Action.SIGN, invoice.status)
    if not is_signatory:
        raise InvalidInput([FieldProblem("contact", f"is not a signatory contact of the {party.value}")])
    signatures = {**invoice.signatures, party: contact_id}
    to = Status.APPROVED if set(signatures) == set(Party) else invoice.status
    return _moved(invoice, Action.SIGN, to, now, signatures=signatures)


def fund(
    invoice: Invoice,
    pricing: funding.Pricing,
    *,
    disbursement_date: date,
    now: datetime,
    receivable_confirmed: bool = False,
    customer_document: str | None = None,
    iof_rates: iof.IofRates | None = None,
) -> tuple[Invoice, Transition]:
    to = next_status(Action.FUND, invoice.status)
    if not invoice.issue_date <= disbursement_date < invoice.due_date:
        # Outside [issue date, due date) the term is nil or negative: no discount contract to price.
        raise InvalidInput(
            [FieldProblem("disbursement_date", "must be on or after the issue date and before the due date")]
        )
    if invoice.credit_rights_internal_number and not receivable_confirmed:
        raise PreconditionFailed(
            "receivable_not_confirmed",
            f"The receivable '{invoice.credit_rights_internal_number}' is not CONFIRMED by the registrar.",
        )
    advance = funding.advance_for(invoice.amount, pricing)
    if advance.first_payment <= 0:
        raise InvalidInput([FieldProblem("advance_rate_percentage", "gives no advance for this amount")])
    if advance.repayment_amount > invoice.amount:
        raise ClaimExceedsInvoice(invoice.amount, advance)
    rates = iof_rates if iof_rates is not None and iof.applies_to(invoice.currency) else iof.NONE
    financing = Financing(
        iof_daily_rate=rates.daily,
        iof_additional_rate=rates.additional,
        iof=iof.iof_on_credit(advance.first_payment, (invoice.due_date - disbursement_date).days, rates),
        advance_rate=pricing.advance_rate,
        fee_rate=pricing.fee_rate,
        first_payment=advance.first_payment,
        discount=advance.discount,
        funded_at=now,
        disbursement_date=disbursement_date,
        repayment_date=invoice.offered_plan.repayment_date(disbursement_date, invoice.due_date)
        if invoice.offered_plan
        else None,
        customer_document=customer_document,
    )
    sessions = _close_sessions(invoice, SessionStatus.COMPLETED)
    return _moved(invoice, Action.FUND, to, now, financing=financing, sessions=sessions)


def record_payment(
    invoice: Invoice, amount: int, *, paid_date: date, reference: str, now: datetime
) -> tuple[Invoice, Transition]:
    """A payment from the buyer; paying the whole outstanding amount repays the invoice.

    The late fees are brought up to the day before paid_date, those already charged are re-rated on the
    payment history (a backdated payment lowers them: an adjustment posting), and the claim is settled
    once the payments cover it (funding.py).
    """
    check(Action.RECORD_PAYMENT, invoice.status)
    if amount <= 0:
        raise InvalidInput([FieldProblem("amount", "must be greater than 0")])
    if paid_date > now.date():
        raise InvalidInput([FieldProblem("paid_date", "cannot be after today")])
    if amount > invoice.outstanding_amount:
        raise PaymentExceedsOutstanding(
            f"The payment exceeds the outstanding amount of the invoice ({invoice.outstanding_amount} minor units)."
        )
    assert invoice.financing is not None
    if invoice.financing.late_fee_rate is not None:  # the days before paid_date the job has not charged
        invoice = accrue_late_fees(
            invoice, paid_date - timedelta(days=1), invoice.financing.late_fee_rate, now
        )
    payment = Payment(
        id=new_id("pay"), amount=amount, paid_date=paid_date, reference=reference, recorded_at=now
    )
    paid = invoice.model_copy(
        update={
            "payments": [*invoice.payments, payment],
            "financing": invoice.financing.model_copy(
                update={"collected": invoice.financing.collected + amount}
            ),
        }
    )
    f = _charged(paid, invoice.financing.late_fees_through, "adjustment", now).financing
    assert f is not None
    claim_due = f.repayment_amount + f.late_fees_within_headroom
    update: dict = {"settled_on": funding.settlement_date(claim_due, _paid(paid))}
    to = invoice.status
    if f.collected == invoice.amount:
        to = Status.REPAID
        advance = funding.Advance(f.first_payment, f.discount)
        update |= {
            "second_payment": funding.rebate(f.collected, advance, f.late_fees_within_headroom),
            "repaid_at": now,
        }
    return _moved(
        invoice,
        Action.RECORD_PAYMENT,
        to,
        now,
        financing=f.model_copy(update=update),
        payments=paid.payments,
    )


def _paid(invoice: Invoice) -> list[tuple[date, int]]:
    return [(p.paid_date, p.amount) for p in invoice.payments]


def _close_sessions(invoice: Invoice, status: SessionStatus) -> list[FinancingSession]:
    return [
        s.model_copy(update={"status": status}) if s.status == SessionStatus.OPEN else s
        for s in invoice.sessions
    ]


# --------------------------------------------------------------------------------- overdue and default


def _charged(
    invoice: Invoice, through: date | None, kind: Literal["accrual", "adjustment"], now: datetime
) -> Invoice:
    """The late fees charged through `through` on the payment history, and the posting that gets the
    charged total there (none when it does not change)."""
    f = invoice.financing
    if f is None or through is None or f.late_fee_rate is None or invoice.overdue_since is None:
        return invoice
    total = funding.late_fees(
        f.repayment_amount, f.late_fee_rate, _paid(invoice), invoice.overdue_since, through
    )
    recourse = funding.recourse(total, invoice.headroom)
    update: dict = {"late_payment_fees": total, "recourse_amount": recourse, "late_fees_through": through}
    if total != f.late_payment_fees or recourse != f.recourse_amount:
        posting = LateFeePosting(
            kind=kind,
            through=through,
            amount=total - f.late_payment_fees,
            recourse=recourse - f.recourse_amount,
            posted_at=now,
        )
        update["late_fee_postings"] = [*f.late_fee_postings, posting]
    return invoice.model_copy(update={"financing": f.model_copy(update=update)})


def accrue_late_fees(invoice: Invoice, today: date, late_rate: int, now: datetime) -> Invoice:
    """Late fees through `today` for an overdue invoice whose claim is unsettled (idempotent for a day).

    The rate is the tenant's when the invoice first accrues; it stays the invoice's for good.
    """
    f = invoice.financing
    if invoice.status != Status.OVERDUE or f is None or f.settled_on is not None:
        return invoice
    if f.late_fees_through is not None and f.late_fees_through >= today:
        return invoice
    if f.late_fee_rate is None:
        invoice = invoice.model_copy(update={"financing": f.model_copy(update={"late_fee_rate": late_rate})})
    return _charged(invoice, today, "accrual", now)


def age(
    invoice: Invoice, *, today: date, now: datetime, grace_days: int, default_after_days: int, late_rate: int
) -> tuple[Invoice, list[Transition]]:
    """The daily job's step for one invoice: overdue from its first overdue day (due date + grace + 1),
    late fees, defaulted `default_after_days` after the due date. An invoice whose claim is settled no
    longer ages."""
    transitions: list[Transition] = []
    if invoice.financing is None or invoice.financing.settled_on is not None:
        return invoice, transitions
    first_overdue = funding.first_overdue_day(invoice.due_date, grace_days)
    if invoice.status == Status.FINANCED and today >= first_overdue:
        invoice, moved = _moved(
            invoice, Action.MARK_OVERDUE, Status.OVERDUE, now, overdue_since=first_overdue
        )
        transitions.append(moved)
    before = invoice
    invoice = accrue_late_fees(invoice, today, late_rate, now)
    if invoice.status == Status.OVERDUE and (today - invoice.due_date).days >= default_after_days:
        invoice, moved = _moved(invoice, Action.MARK_DEFAULTED, Status.DEFAULTED, now)
        transitions.append(moved)
    elif invoice is not before and not transitions:
        invoice = invoice.model_copy(update={"updated": now, "version": invoice.version + 1})
    return invoice, transitions
