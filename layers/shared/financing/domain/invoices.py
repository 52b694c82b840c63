"""Invoices and everything that happens to them, as pure functions over the model.

Each operation checks the state machine (lifecycle.py), applies the rule, and returns the changed
invoice with the transition it made; storage and events are the services' business.
"""

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel

from financing.domain import funding, iof
from financing.domain.errors import FieldProblem, InvalidInput, StateConflict, Unprocessable
from financing.domain.lifecycle import EXPOSED, Action, Status, check, next_status
from financing.ids import new_id


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


class Financing(BaseModel):
    advance_rate: int
    fee_rate: int
    first_payment: int
    discount: int
    collected: int = 0
    late_payment_fees: int = 0
    late_fees_through: date | None = None
    second_payment: int | None = None
    funded_at: datetime
    disbursement_date: date
    repaid_at: datetime | None = None
    settled_on: date | None = None  # the date the claim was settled (domain.claim.settled_on computes it)
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
        return self.first_payment + self.discount


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
        return funding.repayment_outstanding(f.repayment_amount, f.late_payment_fees, f.collected)

    @property
    def exposure(self) -> int:
        """The principal this invoice holds against its buyer's limit."""
        return self.financing.first_payment if self.financing and self.status in EXPOSED else 0


@dataclass(frozen=True)
class Transition:
    """One change of status (or a recorded event within a status, such as a payment)."""

    action: Action
    from_status: Status
    to_status: Status
    reason: str | None = None


class PaymentExceedsOutstanding(Unprocessable):
    code = "payment_exceeds_outstanding"


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
        customer_document=customer_document,
    )
    sessions = _close_sessions(invoice, SessionStatus.COMPLETED)
    return _moved(invoice, Action.FUND, to, now, financing=financing, sessions=sessions)


def record_payment(
    invoice: Invoice, amount: int, *, paid_date: date, reference: str, now: datetime
) -> tuple[Invoice, Transition]:
    """A payment from the buyer; paying the whole outstanding amount repays the invoice."""
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
    collected = invoice.financing.collected + amount
    payment = Payment(
        id=new_id("pay"), amount=amount, paid_date=paid_date, reference=reference, recorded_at=now
    )
    financing_update: dict = {"collected": collected}
    to = invoice.status
    if collected == invoice.amount:
        to = Status.REPAID
        advance = funding.Advance(invoice.financing.first_payment, invoice.financing.discount)
        financing_update |= {
            "second_payment": funding.rebate(collected, advance, invoice.financing.late_payment_fees),
            "repaid_at": now,
        }
    return _moved(
        invoice,
        Action.RECORD_PAYMENT,
        to,
        now,
        financing=invoice.financing.model_copy(update=financing_update),
        payments=[*invoice.payments, payment],
    )


def _close_sessions(invoice: Invoice, status: SessionStatus) -> list[FinancingSession]:
    return [
        s.model_copy(update={"status": status}) if s.status == SessionStatus.OPEN else s
        for s in invoice.sessions
    ]


# --------------------------------------------------------------------------------- overdue and default


def accrue_late_fees(invoice: Invoice, today: date, late_rate: int) -> Invoice:
    """Late fees for each overdue day not yet accrued (idempotent for a given `today`)."""
    if invoice.status != Status.OVERDUE or invoice.financing is None:
        return invoice
    f = invoice.financing
    since = f.late_fees_through or invoice.overdue_since or today
    fees = funding.late_fees_between(f.repayment_amount - f.collected, late_rate, since, today)
    if fees == 0 and f.late_fees_through == today:
        return invoice
    return invoice.model_copy(
        update={
            "financing": f.model_copy(
                update={"late_payment_fees": f.late_payment_fees + fees, "late_fees_through": today}
            )
        }
    )


def age(
    invoice: Invoice, *, today: date, now: datetime, grace_days: int, default_after_days: int, late_rate: int
) -> tuple[Invoice, list[Transition]]:
    """The daily job's step for one invoice: overdue after the grace period, defaulted much later, late fees."""
    transitions: list[Transition] = []
    if invoice.status == Status.FINANCED and (today - invoice.due_date).days > grace_days:
        invoice, moved = _moved(invoice, Action.MARK_OVERDUE, Status.OVERDUE, now, overdue_since=today)
        transitions.append(moved)
    before = invoice
    invoice = accrue_late_fees(invoice, today, late_rate)
    if invoice.status == Status.OVERDUE and (today - invoice.due_date).days >= default_after_days:
        invoice, moved = _moved(invoice, Action.MARK_DEFAULTED, Status.DEFAULTED, now)
        transitions.append(moved)
    elif invoice is not before and not transitions:
        invoice = invoice.model_copy(update={"updated": now, "version": invoice.version + 1})
    return invoice, transitions
