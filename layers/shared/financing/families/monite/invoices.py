"""Invoices as Monite's `FinancingInvoice`: the ULID as a UUID, integer minor units, upper-case currency,
percentages in basis points (10000 = 100%); the list's query parameters; the push request."""

import re
from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
)

from financing.domain import books
from financing.domain import financing_list as fl
from financing.domain.errors import FieldProblem, InvalidInput
from financing.domain.financing_list import LIST_STATUS, InvoiceQuery, ListStatus, Order
from financing.domain.funding import Pricing, advance_for
from financing.domain.invoices import Invoice, InvoiceType
from financing.families.cursors import CURSOR_PATTERN
from financing.ids import ULID_PATTERN, UUID_PATTERN, as_uuid, from_uuid, is_id

MAX_IN = 100  # values per `__in` parameter
InvoiceUuid = Annotated[
    UUID, WithJsonSchema({"type": "string", "format": "uuid", "pattern": f"^{UUID_PATTERN}$"})
]
_INVOICE_REF = rf"^(?:inv_{ULID_PATTERN}|{UUID_PATTERN})$"


def _comma_list(value: Any) -> Any:
    """`?x=a&x=b` and `?x=a,b` (and any mix) are the same list."""
    values = value if isinstance(value, list) else [value]
    return [part.strip() for v in values for part in str(v).split(",") if part.strip()]


def _at_most_max_in(values: list | None) -> list | None:
    if values is not None and len(values) > MAX_IN:
        raise ValueError(f"at most {MAX_IN} values")
    return values


def CommaList(item: Any, description: str) -> Any:
    # `list[...] | None` as such: powertools reads repeated query values only into a field so annotated.
    return Annotated[
        list[item] | None,
        BeforeValidator(_comma_list),
        AfterValidator(_at_most_max_in),
        Field(default=None, description=description, json_schema_extra={"maxItems": MAX_IN}),
    ]


_ISO_START = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}(?:$|[T ])")


def _iso_moment(value: Any) -> Any:
    """Only an ISO 8601 date or date-time: pydantic alone would also take `1700000000` as a Unix time."""
    if isinstance(value, str) and not _ISO_START.match(value):
        raise ValueError("must be a date (2024-05-25) or an ISO 8601 date-time")
    return value


_MOMENT_SCHEMA = {"anyOf": [{"type": "string", "format": "date"}, {"type": "string", "format": "date-time"}]}


def _moment(description: str) -> Any:
    return Annotated[
        Annotated[datetime, BeforeValidator(_iso_moment), WithJsonSchema(_MOMENT_SCHEMA)] | None,
        Field(
            default=None, description=f"{description} A date (`2024-05-25`) or a date-time; UTC if no offset."
        ),
    ]


STATUSES = ", ".join(s.value for s in ListStatus)
_DUE_SPAN = (
    " With both a lower and an upper due date bound, the last day allowed is at most"
    f" {fl.MAX_DUE_SPAN_YEARS} years after the first (422 naming the bounds otherwise)."
)


class FinancingInvoiceParams(BaseModel):
    """The query of `GET /v1/financing_invoices`, every parameter of Monite's spec."""

    model_config = ConfigDict(extra="ignore")

    order: Order = Field(default=Order.ASC, description="`asc` (default) or `desc`.")
    limit: int = Field(default=100, ge=1, le=100, description="Invoices per page, 1 to 100 (default 100).")
    pagination_token: Annotated[str, StringConstraints(max_length=8192, pattern=CURSOR_PATTERN)] | None = (
        Field(
            default=None,
            description="A token from a previous page; when given, every other parameter is ignored and taken from the original query.",
        )
    )
    sort: Literal["id", "created_at"] | None = Field(
        default=None, description="`id` or `created_at`: the same order (ids are created in time order)."
    )
    invoice_id: InvoiceUuid | None = Field(default=None, description="An invoice id (UUID).")
    invoice_id__in: CommaList(InvoiceUuid, "Invoice ids (UUIDs), repeated or comma-separated.") = None
    status: ListStatus | None = Field(default=None, description=f"One of {STATUSES}.")
    status__in: CommaList(ListStatus, f"Statuses ({STATUSES}), repeated or comma-separated.") = None
    type: InvoiceType | None = Field(default=None, description="`receivable` or `payable`.")
    type__in: CommaList(InvoiceType, "Types, repeated or comma-separated.") = None
    document_id: Annotated[str, StringConstraints(max_length=64)] | None = Field(
        default=None, description="The invoice's document id."
    )
    document_id__in: CommaList(str, "Document ids, repeated or comma-separated.") = None
    issue_date__gt: _moment("Issue date after.") = None
    issue_date__lt: _moment("Issue date before.") = None
    issue_date__gte: _moment("Issue date on or after.") = None
    issue_date__lte: _moment("Issue date on or before.") = None
    due_date__gt: _moment(f"Due date after.{_DUE_SPAN}") = None
    due_date__lt: _moment(f"Due date before.{_DUE_SPAN}") = None
    due_date__gte: _moment(f"Due date on or after.{_DUE_SPAN}") = None
    due_date__lte: _moment(f"Due date on or before.{_DUE_SPAN}") = None
    created_at__gt: _moment("Created after.") = None
    created_at__lt: _moment("Created before.") = None
    created_at__gte: _moment("Created at or after.") = None
    created_at__lte: _moment("Created at or before.") = None
    total_amount: int | None = Field(default=None, description="Total amount in minor units.")
    total_amount__gt: int | None = Field(default=None, description="Total amount greater than (minor units).")
    total_amount__lt: int | None = Field(default=None, description="Total amount less than (minor units).")
    total_amount__gte: int | None = Field(default=None, description="Total amount at least (minor units).")
    total_amount__lte: int | None = Field(default=None, description="Total amount at most (minor units).")

    def query(self) -> InvoiceQuery:
        def one(value: Any) -> list | None:
            return None if value is None else [value]

        issue = fl.day_range(
            self.issue_date__gt, self.issue_date__gte, self.issue_date__lt, self.issue_date__lte
        )
        due = fl.day_range(self.due_date__gt, self.due_date__gte, self.due_date__lt, self.due_date__lte)
        if fl.due_span_too_wide(*due):
            message = f"due date bounds may be at most {fl.MAX_DUE_SPAN_YEARS} years apart"
            bounds = ("due_date__gt", "due_date__gte", "due_date__lt", "due_date__lte")
            given = [name for name in bounds if getattr(self, name) is not None]
            raise InvalidInput([FieldProblem(f"query.{name}", message) for name in given], message)
        created = fl.millisecond_range(
            self.created_at__gt, self.created_at__gte, self.created_at__lt, self.created_at__lte
        )
        amount = fl.number_range(
            self.total_amount,
            self.total_amount__gt,
            self.total_amount__gte,
            self.total_amount__lt,
            self.total_amount__lte,
        )
        ids = fl.intersect(one(self.invoice_id), self.invoice_id__in)
        return InvoiceQuery(
            order=self.order,
            limit=self.limit,
            invoice_ids=None if ids is None else [from_uuid("inv", i) for i in ids],
            statuses=fl.intersect(one(self.status), self.status__in),
            types=fl.intersect(one(self.type), self.type__in),
            document_ids=fl.intersect(one(self.document_id), self.document_id__in),
            issue_from=issue[0],
            issue_to=issue[1],
            due_from=due[0],
            due_to=due[1],
            created_from_ms=created[0],
            created_to_ms=created[1],
            amount_from=amount[0],
            amount_to=amount[1],
        )


# ---------------------------------------------------------------------------------------------- objects


class RepaymentSchedule(BaseModel):
    repayment_date: str
    repayment_amount: int
    repayment_fee_amount: int
    repayment_principal_amount: int


class FinancingInvoice(BaseModel):
    invoice_id: UUID
    type: InvoiceType
    status: ListStatus
    document_id: str
    issue_date: str
    due_date: str
    total_amount: int
    currency: str
    payer_type: Literal["BUSINESS"] = "BUSINESS"
    payer_business_name: str | None = None
    description: str | None = None
    requested_amount: int | None = None
    principal_amount: int | None = None
    advance_amount: int | None = None
    fee_amount: int | None = None
    repayment_amount: int | None = None
    advance_rate_percentage: int | None = None
    fee_percentage: int | None = None
    repayment_schedule: RepaymentSchedule | None = None


class FinancingInvoiceListResponse(BaseModel):
    data: list[FinancingInvoice]
    next_pagination_token: str | None
    prev_pagination_token: str | None


def financing_invoice(invoice: Invoice, payer_name: str | None = None) -> dict[str, Any]:
    """The invoice as Monite shows it, its amounts reconciled as Monite's field descriptions say:
    `requested_amount` = `principal_amount` = the advance asked (total x advance rate); `fee_amount` =
    principal x fee rate; `advance_amount` = what the business receives = the whole principal (the fee
    is repaid with it, never deducted up front); `repayment_amount` = principal + fee, due on the
    schedule's date. Before funding, an invoice pushed under an offer shows the offer's terms (no
    schedule yet: a FIXED_DURATION date runs from the disbursement); once funded, the amounts the ledger
    holds (domain.books) and the rates applied."""
    priced: dict[str, Any] = {}
    f = invoice.financing
    if f is not None:
        terms = (f.advance_rate, f.fee_rate, books.advanced(invoice), books.fee_earned(invoice))
    elif invoice.offered_plan is not None:
        plan = invoice.offered_plan
        offer = advance_for(invoice.amount, Pricing(plan.advance_rate, plan.fee_rate))
        terms = (plan.advance_rate, plan.fee_rate, offer.first_payment, offer.discount)
    else:
        terms = None
    if terms is not None:
        advance_rate, fee_rate, principal, fee = terms
        priced = {
            "requested_amount": principal,
            "principal_amount": principal,
            "advance_amount": principal,
            "fee_amount": fee,
            "repayment_amount": principal + fee,
            "advance_rate_percentage": advance_rate,
            "fee_percentage": fee_rate,
        }
    if f is not None:
        priced["repayment_schedule"] = {
            "repayment_date": (f.repayment_date or invoice.due_date).isoformat(),
            "repayment_amount": books.claim_amount(invoice),
            "repayment_fee_amount": books.fee_earned(invoice),
            "repayment_principal_amount": books.advanced(invoice),
        }
    body = {
        "invoice_id": str(as_uuid(invoice.id)),
        "type": invoice.type.value,
        "status": LIST_STATUS[invoice.status].value,
        "document_id": invoice.invoice_document,
        "issue_date": invoice.issue_date.isoformat(),
        "due_date": invoice.due_date.isoformat(),
        "total_amount": invoice.amount,
        "currency": invoice.currency.upper(),
        "payer_type": "BUSINESS",
        "payer_business_name": payer_name,
        "description": invoice.description,
        **priced,
    }
    # Monite omits what does not apply rather than sending null.
    return {key: value for key, value in body.items() if value is not None}


# ------------------------------------------------------------------------------------------- push request


def _invoice_ref(value: str) -> str:
    """An invoice named by its UUID (as this API lists it) or its core id (`inv_...`)."""
    if is_id("inv", value):
        return value
    try:
        return from_uuid("inv", UUID(value))
    except ValueError:
        raise ValueError("must be an invoice id: a UUID or an `inv_` id") from None


class PushInvoice(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: Annotated[
        str, StringConstraints(max_length=64, pattern=_INVOICE_REF), AfterValidator(_invoice_ref)
    ] = Field(description="The invoice's UUID (as listed here) or its core id (`inv_...`).")
    type: InvoiceType


def _distinct(invoices: list[PushInvoice]) -> list[PushInvoice]:
    if len({i.id for i in invoices}) != len(invoices):
        raise ValueError("each invoice may appear only once")
    return invoices


class FinancingPushInvoicesRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    invoices: Annotated[list[PushInvoice], Field(min_length=1, max_length=10), AfterValidator(_distinct)]


class SessionSummary(BaseModel):
    id: str
    status: str
    submitted_by: str | None
    created: str


class FinancingPushInvoicesResponse(BaseModel):
    """Monite's answer (the two tokens), plus the session and the invoices as submitted."""

    session_token: str = Field(
        description="Names this session and its invoices for the hosted financing page (15 minutes)."
    )
    connect_token: str = Field(description="Names the business for the hosted financing page (15 minutes).")
    session: SessionSummary
    invoices: list[FinancingInvoice]
