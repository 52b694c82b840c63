"""The bus family: each event type's object model, the `detail` and EventBridge envelope around it, and the
one way a service builds an event. The JSON Schemas, the AsyncAPI document and the schema registry's
entries are generated from these models (local/event_docs.py), so what is published is what is built."""

import functools
import importlib
import re
from dataclasses import dataclass
from typing import Annotated, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, create_model

from financing.clock import iso, now
from financing.domain import (
    buyer_limits,
    companies,
    consents,
    credit_line,
    credit_rights,
    documents,
    invoices,
    settings,
    webhooks,
)
from financing.domain.event_catalogue import EVENT_TYPES
from financing.domain.events import DomainEvent
from financing.exact_json import jsonable
from financing.ids import new_id

# The major version of every event's schema, in `detail.schema_version`. Within a version changes are
# additive only; a breaking change publishes version 2 beside version 1 (README: "Versioning").
SCHEMA_VERSION = 1

ObjectT = TypeVar("ObjectT", bound=BaseModel)
DetailT = TypeVar("DetailT", bound=BaseModel)
Timestamp = Annotated[str, Field(json_schema_extra={"format": "date-time"}, description="UTC, ISO 8601")]


@dataclass(frozen=True)
class EventKind:
    """What an event type carries as its `object` (`module:Model`), and when it is announced (the
    document's words). The model is imported on first use: a function announcing company events loads
    the company model, not all nine (cold start)."""

    model_path: str
    when: str

    @property
    def object_model(self) -> type[BaseModel]:
        return _model(self.model_path)


@functools.cache
def _model(path: str) -> type[BaseModel]:
    module, _, name = path.partition(":")
    return getattr(importlib.import_module(module), name)


CompanyObject = "financing.families.core.companies:CompanyObject"
SettingsObject = "financing.families.core.settings:SettingsObject"
ConsentObject = "financing.families.core.consents:ConsentObject"
BuyerLimitObject = "financing.families.core.buyer_limits:BuyerLimitObject"
DocumentObject = "financing.families.core.documents:DocumentObject"
InvoiceObject = "financing.families.core.invoices:InvoiceObject"
FinancingOffersResponse = "financing.families.monite.offers:FinancingOffersResponse"
WebhookSubscriptionObject = "financing.families.core.webhooks:WebhookSubscriptionObject"
ReceivableFields = "financing.families.pismo.events:ReceivableFields"
ReceivableRefused = "financing.families.pismo.events:ReceivableRefused"
ReceivableAttemptFailed = "financing.families.pismo.events:ReceivableAttemptFailed"


_INVOICE_REACHED = {
    invoices.REACHED[status]: f"an invoice reached `{status.value}`" for status in invoices.REACHED
}

KINDS: dict[str, EventKind] = {
    companies.CREATED: EventKind(CompanyObject, "a company was created (POST /v1/companies)"),
    companies.UPDATED: EventKind(CompanyObject, "a company was changed (PATCH /v1/companies/{id})"),
    settings.UPDATED: EventKind(SettingsObject, "the tenant's settings changed (PUT /v1/settings)"),
    consents.CREATED: EventKind(ConsentObject, "an Open Finance consent was granted"),
    consents.REVOKED: EventKind(ConsentObject, "an Open Finance consent was revoked"),
    buyer_limits.CREATED: EventKind(BuyerLimitObject, "a buyer limit was requested"),
    buyer_limits.APPROVED: EventKind(BuyerLimitObject, "a buyer limit was approved"),
    buyer_limits.DENIED: EventKind(BuyerLimitObject, "a buyer limit was denied"),
    documents.CREATED: EventKind(DocumentObject, "a document was created (links are never in events)"),
    documents.UPLOADED: EventKind(DocumentObject, "a document's file was first found stored"),
    invoices.CREATED: EventKind(InvoiceObject, "a draft invoice was created"),
    invoices.UPDATED: EventKind(InvoiceObject, "a draft invoice was changed"),
    invoices.DELETED: EventKind(InvoiceObject, "a draft invoice was deleted"),
    **{name: EventKind(InvoiceObject, when) for name, when in _INVOICE_REACHED.items()},
    invoices.SIGNED: EventKind(InvoiceObject, "a signature that does not yet approve the invoice"),
    invoices.PAYMENT_RECEIVED: EventKind(InvoiceObject, "a payment was recorded on an invoice"),
    invoices.LATE_FEES_ACCRUED: EventKind(InvoiceObject, "the daily job accrued late fees, status unchanged"),
    credit_line.UPDATED: EventKind(FinancingOffersResponse, "the financing offers were replaced"),
    credit_rights.REGISTRATION_REQUESTED: EventKind(
        ReceivableFields, "a receivable registration was accepted"
    ),
    credit_rights.INACTIVATION_REQUESTED: EventKind(ReceivableFields, "a receivable inactivation was asked"),
    credit_rights.SUCCESS: EventKind(ReceivableFields, "the registrar confirmed the receivable"),
    credit_rights.FAILURE: EventKind(ReceivableRefused, "the registrar refused the receivable"),
    credit_rights.ATTEMPT_FAILED: EventKind(
        ReceivableAttemptFailed, "a transient registrar failure (retried)"
    ),
    credit_rights.STATUS_CHANGE_SUCCESS: EventKind(
        ReceivableFields, "the registrar inactivated the receivable"
    ),
    credit_rights.STATUS_CHANGE_FAILURE: EventKind(
        ReceivableRefused, "the registrar refused the inactivation"
    ),
    webhooks.CREATED: EventKind(WebhookSubscriptionObject, "a webhook subscription was created"),
    webhooks.UPDATED: EventKind(WebhookSubscriptionObject, "a webhook subscription or its secret changed"),
    webhooks.DELETED: EventKind(WebhookSubscriptionObject, "a webhook subscription was deleted"),
}
if set(KINDS) != EVENT_TYPES:  # pragma: no cover - a catalogue name without a model cannot be imported
    raise ImportError(f"event types without a model: {sorted(EVENT_TYPES ^ set(KINDS))}")


class Detail(BaseModel, Generic[ObjectT]):
    """The EventBridge `detail` of every event: who, which request, when, and the object. No schema forbids
    unknown fields: within a schema version, fields are only ever added (README: Versioning)."""

    id: str = Field(pattern=r"^evt_[0-9A-HJKMNP-TV-Z]{26}$", description="unique per event: dedupe on it")
    type: str = Field(description="the event name, as `detail-type`")
    schema_version: Literal[1] = Field(description="the major version of this schema")
    tenant_id: str
    correlation_id: str = Field(description="the request's `x-correlation-id`, or the job's id")
    created: Timestamp
    object: ObjectT


class BusEvent(BaseModel, Generic[DetailT]):
    """The event as an EventBridge rule delivers it to a subscriber."""

    model_config = ConfigDict(populate_by_name=True)

    version: Literal["0"]
    id: str = Field(description="EventBridge's id of this delivery")
    detail_type: str = Field(alias="detail-type")
    source: Literal["invoice-financing"]
    account: str = Field(pattern=r"^[0-9]{12}$")
    time: Timestamp
    region: str
    resources: list[str]
    detail: DetailT


def model_name(event_type: str) -> str:
    """`invoice.financed` -> `InvoiceFinanced`; `credit_rights_registration_success-1` -> `...Success1`."""
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[._-]", event_type))


@functools.cache
def detail_model(event_type: str) -> type[Detail]:
    kind = KINDS[event_type]
    return create_model(
        f"{model_name(event_type)}Detail",
        __base__=Detail[kind.object_model],
        __doc__=f"`detail` of `{event_type}`: {kind.when}.",
        type=(Literal[event_type], Field(description="the event name, as `detail-type`")),
    )


@functools.cache
def event_model(event_type: str) -> type[BusEvent]:
    return create_model(
        f"{model_name(event_type)}Event",
        __base__=BusEvent[detail_model(event_type)],
        __doc__=f"`{event_type}` as a rule delivers it: {KINDS[event_type].when}.",
        detail_type=(Literal[event_type], Field(alias="detail-type")),
    )


def announce(event_type: str, *, tenant_id: str, correlation_id: str, obj: BaseModel) -> DomainEvent:
    """The event announcing a change, built by its model: an unknown type or another object is a bug."""
    kind = KINDS[event_type]
    if not isinstance(obj, kind.object_model):
        raise TypeError(f"{event_type} carries a {kind.object_model.__name__}, not a {type(obj).__name__}")
    moment = now()
    detail = detail_model(event_type)(
        id=new_id("evt"),
        type=event_type,
        schema_version=SCHEMA_VERSION,
        tenant_id=tenant_id,
        correlation_id=correlation_id,
        created=iso(moment),
        object=obj,
    )
    return DomainEvent(
        id=detail.id,
        type=event_type,
        tenant_id=tenant_id,
        correlation_id=correlation_id,
        occurred_at=moment,
        detail=jsonable(detail),
    )
