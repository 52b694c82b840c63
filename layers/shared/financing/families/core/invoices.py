"""Invoices in the core (Stenn) shape: decimal major-unit amounts, `object` and prefixed ids."""

from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, WithJsonSchema, model_validator
from pydantic.json_schema import SkipJsonSchema

from financing.clock import iso
from financing.domain import books
from financing.domain.errors import FieldProblem, InvalidInput
from financing.domain.invoices import FinancingSession, Invoice, InvoiceType, Party, TypeOfGoods
from financing.domain.money import MoneyError, to_major, to_minor
from financing.exact_json import jsonable
from financing.families.json_input import json_int, json_number, json_text

Currency = Literal["usd", "gbp", "eur", "brl"]
Text = json_text(200)
Reason = json_text(1000)
Percentage = json_int("basis points: 10000 = 100%", ge=1, le=10000)
# At most 15 significant digits, so the JSON number a client reads back is exactly the decimal sent: the
# document says the largest such amount (the decimals are the currency's, a rule of its own).
MAX_AMOUNT = 10**15 - 1
Amount = Annotated[
    json_number("decimal major units, e.g. 123.53; at most 15 digits", gt=0, le=MAX_AMOUNT),
    Field(max_digits=15),
]
# An amount in the response: a JSON number in decimal major units (Stenn's `123.53`), never a string and
# never a float: financing.exact_json writes the decimal digit for digit.
Major = Annotated[Decimal, WithJsonSchema({"type": "number"})]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _minor(amount: Decimal, currency: str, field: str) -> int:
    try:
        return to_minor(amount, currency)
    except MoneyError as error:
        raise InvalidInput([FieldProblem(field, str(error))]) from None


# The types of goods are a set: the domain refuses one named twice, so the document says so.
A_SET = {"uniqueItems": True}
# Only a brl invoice names a registered receivable: said as a conditional on the body's own currency.
RECEIVABLE_IS_BRL = {
    "if": {"required": ["currency"], "properties": {"currency": {"not": {"const": "brl"}}}},
    "then": {"properties": {"credit_rights_internal_number": {"type": "null"}}},
}


class InvoiceCreate(Strict):
    model_config = ConfigDict(json_schema_extra=RECEIVABLE_IS_BRL)

    supplier: str
    buyer: str
    invoice_number: Text
    client_reference_id: Text
    invoice_document: str
    amount: Amount
    currency: Currency
    type_of_goods: list[TypeOfGoods] = Field(min_length=1, max_length=3, json_schema_extra=A_SET)
    issue_date: date
    due_date: date
    type: InvoiceType = InvoiceType.RECEIVABLE
    description: Annotated[str, StringConstraints(max_length=1000)] | None = None
    credit_rights_internal_number: Annotated[str, StringConstraints(min_length=1, max_length=40)] | None = (
        Field(
            default=None,
            description="brl only: the registered receivable this invoice is; funding then needs it CONFIRMED",
        )
    )

    def details(self) -> dict[str, Any]:
        values = self.model_dump()
        values["amount"] = _minor(self.amount, self.currency, "amount")
        return values


class InvoiceUpdate(Strict):
    model_config = ConfigDict(json_schema_extra=RECEIVABLE_IS_BRL)
    """Partial update of a draft: only the fields present change."""

    supplier: str | SkipJsonSchema[None] = None
    buyer: str | SkipJsonSchema[None] = None
    invoice_number: Text | SkipJsonSchema[None] = None
    client_reference_id: Text | SkipJsonSchema[None] = None
    invoice_document: str | SkipJsonSchema[None] = None
    amount: Amount | SkipJsonSchema[None] = None
    type_of_goods: (
        Annotated[list[TypeOfGoods], Field(min_length=1, max_length=3, json_schema_extra=A_SET)]
        | SkipJsonSchema[None]
    ) = None
    issue_date: date | SkipJsonSchema[None] = None
    due_date: date | SkipJsonSchema[None] = None
    type: InvoiceType | SkipJsonSchema[None] = None
    description: Annotated[str, StringConstraints(max_length=1000)] | None = None

    @model_validator(mode="after")
    def _no_nulls_for_required(self) -> "InvoiceUpdate":
        for name in self.model_fields_set - {"description"}:
            if getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null")
        return self

    def changes(self, currency: str) -> dict[str, Any]:
        values = self.model_dump(include=self.model_fields_set)
        if "amount" in values:
            values["amount"] = _minor(self.amount, currency, "amount")
        return values


class ReasonBody(Strict):
    reason: Reason


class EmptyBody(Strict):
    pass


class SignBody(Strict):
    party: Party
    contact: str


class FundBody(Strict):
    advance_rate_percentage: Percentage | None = None
    fee_percentage: json_int("basis points: 10000 = 100%", ge=0, le=10000) | None = None
    disbursement_date: date | None = None


class PaymentBody(Strict):
    amount: Amount
    paid_date: date
    reference: Text


class SupportingDocument(Strict):
    document: str
    invoice: str


class FinancingSessionCreate(Strict):
    supplier: str
    buyer: str
    invoices: list[str] = Field(min_length=1, max_length=1)
    supporting_documents: list[SupportingDocument] = Field(default=[], max_length=20)
    submitted_by: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = None


# ------------------------------------------------------------------------------------------- objects


class SessionObject(BaseModel):
    id: str
    object: Literal["invoice.financing.session"] = "invoice.financing.session"
    status: str
    submitted_by: str | None = None
    supporting_documents: list[dict[str, str]] = []
    invoices: list[str] = []
    created: str


class SessionList(BaseModel):
    object: Literal["list"] = "list"
    data: list[SessionObject]


class FinancingObject(BaseModel):
    first_payment: Major | None
    second_payment: Major | None
    discount: Major | None
    volume_adjument_fees: Major | None = None
    insurance_charges: Major | None = None
    late_payment_fees: Major | None = Field(
        description="every late fee charged, the recourse part included (simple interest on the unpaid claim)"
    )
    recourse_amount: Major | None = Field(
        default=None,
        description="the late fees beyond the invoice's headroom (amount - repayment_amount): "
        "a claim on the supplier, outstanding in full",
    )
    settled_on: date | None = Field(
        default=None,
        description="the paid date on which the buyer's payments covered the lender's claim and its "
        "late fees within headroom; the invoice no longer ages from then on",
    )
    advance_rate_percentage: int | None
    fee_percentage: int | None
    repayment_amount: Major | None
    outstanding_amount: Major
    repayment_outstanding: Major | None
    funded_at: str | None
    disbursement_date: date | None
    sessions: SessionList


class PaymentObject(BaseModel):
    id: str
    object: Literal["invoice.payment"] = "invoice.payment"
    amount: Major
    paid_date: date
    reference: str
    created: str


class InvoiceObject(BaseModel):
    id: str
    object: Literal["invoice"] = "invoice"
    supplier: str
    buyer: str
    invoice_number: str
    client_reference_id: str
    invoice_document: dict[str, Any]
    amount: Major
    currency: str
    type_of_goods: list[str]
    issue_date: date
    due_date: date
    type: str
    description: str | None
    credit_rights_internal_number: str | None = None
    status: str
    status_reason: str | None
    signatures: dict[str, str]
    payments: list[PaymentObject]
    financing: FinancingObject
    created: str
    updated: str


def session_object(session: FinancingSession) -> SessionObject:
    return SessionObject(
        id=session.id,
        status=session.status.value,
        submitted_by=session.submitted_by,
        supporting_documents=session.supporting_documents,
        created=iso(session.created),
    )


def invoice_object(invoice: Invoice, document: dict[str, Any] | None = None) -> InvoiceObject:
    currency = invoice.currency

    def major(minor: int | None) -> Decimal | None:
        return None if minor is None else to_major(minor, currency)

    f = invoice.financing
    # Every amount from the ledger image (domain.books); rates and dates are the financing's terms.
    financing = FinancingObject(
        first_payment=major(books.advanced(invoice)) if f else None,
        second_payment=major(books.rebate_paid(invoice)) if f and f.second_payment is not None else None,
        discount=major(books.fee_earned(invoice)) if f else None,
        late_payment_fees=major(books.late_fees_charged(invoice)) if f else None,
        recourse_amount=major(books.recourse_outstanding(invoice)) if f else None,
        settled_on=f.settled_on if f else None,
        advance_rate_percentage=f.advance_rate if f else None,
        fee_percentage=f.fee_rate if f else None,
        repayment_amount=major(books.claim_amount(invoice)) if f else None,
        outstanding_amount=major(books.buyer_outstanding(invoice)),
        repayment_outstanding=major(books.claim_outstanding(invoice)) if f else None,
        funded_at=iso(f.funded_at) if f else None,
        disbursement_date=f.disbursement_date if f else None,
        sessions=SessionList(data=[session_object(s) for s in invoice.sessions]),
    )
    return InvoiceObject(
        id=invoice.id,
        supplier=invoice.supplier,
        buyer=invoice.buyer,
        invoice_number=invoice.invoice_number,
        client_reference_id=invoice.client_reference_id,
        invoice_document=document or {"id": invoice.invoice_document, "object": "document"},
        amount=major(invoice.amount),
        currency=currency,
        type_of_goods=[t.value for t in invoice.type_of_goods],
        issue_date=invoice.issue_date,
        due_date=invoice.due_date,
        type=invoice.type.value,
        description=invoice.description,
        credit_rights_internal_number=invoice.credit_rights_internal_number,
        status=invoice.status.value,
        status_reason=invoice.status_reason,
        signatures={party.value: contact for party, contact in invoice.signatures.items()},
        payments=[
            PaymentObject(
                id=p.id,
                amount=major(p.amount),
                paid_date=p.paid_date,
                reference=p.reference,
                created=iso(p.recorded_at),
            )
            for p in invoice.payments
        ],
        financing=financing,
        created=iso(invoice.created),
        updated=iso(invoice.updated),
    )


def invoice_json(invoice: Invoice, document: dict[str, Any] | None = None) -> dict[str, Any]:
    """The invoice object as JSON-ready data, its amounts kept as decimals (financing.exact_json)."""
    return jsonable(invoice_object(invoice, document))


class FundingPreviewObject(BaseModel):
    """What `POST /v1/invoices/{id}/fund` would book now with the same terms: the same pricing, IOF and
    checks, nothing written."""

    object: Literal["invoice.funding_preview"] = "invoice.funding_preview"
    invoice: str
    currency: str
    amount: Major
    advance_rate_percentage: int
    fee_percentage: int
    first_payment: Major = Field(description="the advance paid to the supplier")
    discount: Major = Field(description="the lender's fee on the advance")
    iof: Major = Field(description="IOF withheld from the advance (0 where it does not apply)")
    repayment_amount: Major = Field(description="the lender's claim: first_payment + discount")
    disbursement_date: date
    due_date: date
    repayment_date: date = Field(description="when the claim is due: the offer's date, or the due date")
    on_credit_line: bool = Field(description="the advance would be drawn on the tenant's credit line")


def funding_preview_object(funded: Invoice) -> dict[str, Any]:
    """The financing a funding would book, from the financed invoice the domain priced."""
    f = funded.financing
    assert f is not None

    def major(minor: int) -> Decimal:
        return to_major(minor, funded.currency)

    return jsonable(
        FundingPreviewObject(
            invoice=funded.id,
            currency=funded.currency,
            amount=major(funded.amount),
            advance_rate_percentage=f.advance_rate,
            fee_percentage=f.fee_rate,
            first_payment=major(f.first_payment),
            discount=major(f.discount),
            iof=major(f.iof),
            repayment_amount=major(f.repayment_amount),
            disbursement_date=f.disbursement_date,
            due_date=funded.due_date,
            repayment_date=f.repayment_date or funded.due_date,
            on_credit_line=f.on_credit_line,
        )
    )
