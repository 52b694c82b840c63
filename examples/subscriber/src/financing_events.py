"""The payloads of the platform's events this application subscribes to, as typed dataclasses.

`detail` is `{id, type, tenant_id, correlation_id, created, object}`; `object` is the invoice as the core API
returns it (invoice.*) or Pismo's receivable fields (credit_rights_*). Amounts arrive as JSON numbers in
decimal major units with at most 15 significant digits, so `Decimal(str(number))` recovers them exactly even
after the Lambda runtime parsed them as floats. Fields the platform adds later (additive changes) are
ignored here; a field these types name and the event lacks is an error.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Generic, TypeVar

INVOICE_FINANCED = "invoice.financed"
REGISTRATION_SUCCESS = "credit_rights_registration_success-1"
REGISTRATION_FAILURE = "credit_rights_registration_failure-1"

Payload = TypeVar("Payload")


@dataclass(frozen=True)
class Financing:
    first_payment: Decimal | None  # the advance paid to the supplier
    second_payment: Decimal | None
    discount: Decimal | None
    volume_adjument_fees: Decimal | None
    insurance_charges: Decimal | None
    late_payment_fees: Decimal | None
    recourse_amount: Decimal | None
    settled_on: str | None
    advance_rate_percentage: int | None  # basis points: 10000 = 100%
    fee_percentage: int | None
    repayment_amount: Decimal | None  # the lender's claim: advance + discount
    outstanding_amount: Decimal
    repayment_outstanding: Decimal | None
    funded_at: str | None
    disbursement_date: str | None
    sessions: dict[str, Any]


@dataclass(frozen=True)
class Invoice:
    id: str
    object: str
    supplier: str
    buyer: str
    invoice_number: str
    client_reference_id: str
    invoice_document: dict[str, Any]
    amount: Decimal
    currency: str
    type_of_goods: list[str]
    issue_date: str
    due_date: str
    type: str
    description: str | None
    credit_rights_internal_number: str | None
    status: str
    status_reason: str | None
    signatures: dict[str, str]
    payments: list[dict[str, Any]]
    financing: Financing
    created: str
    updated: str


@dataclass(frozen=True)
class Receivable:
    """A credit_rights_registration_success-1 object (Pismo's fields)."""

    credit_rights_receivable_type: int
    debtor_document_number: str
    debtor_name: str
    face_value: Decimal
    holding_number: str
    ibge_code: int
    internal_number: str
    interop_holding_number: str | None  # the registrar's reference


@dataclass(frozen=True)
class RefusedReceivable(Receivable):
    """A credit_rights_registration_failure-1 object: the same fields, with the invoice number and why."""

    invoice_number: int | str | None
    message: str


@dataclass(frozen=True)
class Detail(Generic[Payload]):
    id: str  # stable across redeliveries and replays: deduplicate on it
    type: str
    schema_version: int  # the major version this type follows; see the README's compatibility policy
    tenant_id: str
    correlation_id: str
    created: str
    object: Payload


PAYLOADS: dict[str, type] = {
    INVOICE_FINANCED: Invoice,
    REGISTRATION_SUCCESS: Receivable,
    REGISTRATION_FAILURE: RefusedReceivable,
}


def parse(detail_type: str, detail: dict[str, Any]) -> Detail[Any]:
    """The typed `detail` of an event of one of the subscribed types (KeyError for another type)."""
    payload = PAYLOADS[detail_type]
    envelope = {f.name: detail[f.name] for f in dataclasses.fields(Detail) if f.name != "object"}
    return Detail(**envelope, object=build(payload, detail["object"]))


def build(cls: type, data: dict[str, Any]) -> Any:
    hints = typing.get_type_hints(cls)
    return cls(**{f.name: _value(hints[f.name], data[f.name]) for f in dataclasses.fields(cls)})


def _value(kind: Any, raw: Any) -> Any:
    if raw is None:
        return None
    if isinstance(kind, types.UnionType):
        kind = next(k for k in typing.get_args(kind) if k is not type(None))
    if dataclasses.is_dataclass(kind):
        return build(kind, raw)
    if kind is Decimal:
        return Decimal(str(raw))
    return raw
