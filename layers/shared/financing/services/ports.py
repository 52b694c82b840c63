"""Ports the use cases depend on; adapters implement them, tests may fake them (tests/unit/fakes.py).

Each protocol holds exactly the methods the use cases call. A store's guarantees are part of its port:
a write conditioned on a version is refused (Conflict) when the item moved on, and an invoice `move`
that raises a buyer's exposure is refused (BuyerLimitExceeded) when the limit it was decided on no
longer holds, writing nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

if TYPE_CHECKING:  # annotations only: a function importing a port loads none of these for it
    from collections.abc import Iterable, Iterator
    from datetime import date, datetime

    from financing.domain.actor import Actor
    from financing.domain.buyer_limits import BuyerLimit, Exposure
    from financing.domain.companies import Company
    from financing.domain.concentration import Guard
    from financing.domain.consents import Consent
    from financing.domain.credit_line import CreditLine
    from financing.domain.credit_rights import Outcome, Receivable
    from financing.domain.documents import Document, DownloadLink, UploadForm
    from financing.domain.events import DomainEvent
    from financing.domain.financing_list import InvoiceQuery
    from financing.domain.funding_facts import FundingFacts
    from financing.domain.invoices import Invoice, Transition
    from financing.domain.ledger import Account, JournalEntry, MonthClosing, Volume
    from financing.domain.settings import TenantSettings
    from financing.domain.webhooks import (
        Circuit,
        DeliveryStatus,
        Secret,
        WebhookDelivery,
        WebhookSubscription,
    )

    Move = tuple[Invoice, Invoice, list[Transition]]  # (changed invoice, as read, the transitions between)


Announced = TypeVar("Announced", contravariant=True)


class Announces(Protocol[Announced]):
    """The event announcing a change to `item`: the item as its family shows it, inside its event type's
    model (financing.composition injects it; a use case knows neither shape)."""

    def __call__(self, event_type: str, actor: Actor, item: Announced, /) -> DomainEvent: ...


class Subscriptions(Protocol):
    def add(self, subscription: WebhookSubscription, event: DomainEvent, *, limit: int) -> None: ...
    def get(self, tenant_id: str, subscription_id: str) -> WebhookSubscription | None: ...
    def save(self, subscription: WebhookSubscription, event: DomainEvent) -> None: ...
    def remove(self, subscription: WebhookSubscription, event: DomainEvent) -> None: ...
    def page(
        self, tenant_id: str, *, limit: int, after: str | None
    ) -> tuple[list[WebhookSubscription], bool]: ...
    def every(self, tenant_id: str) -> list[WebhookSubscription]: ...
    def reveal(self, subscription: WebhookSubscription, secret: Secret) -> str: ...


class StoredSecrets(Protocol):
    """The secrets still stored in plaintext, for the one-off migration that seals them."""

    def plaintext_secrets(self) -> Iterable[tuple[dict[str, str], str, str]]: ...
    def seal_stored(self, key: dict[str, str], name: str, stored: str) -> bool: ...


class Shares(Protocol):
    """Each tenant's share of the deliverer: at most `limit` invocations hold a slot of a tenant at once."""

    def take(self, tenant_id: str, holder: str, limit: int, until: float) -> int | None: ...
    def give_back(self, tenant_id: str, slot: int, holder: str) -> None: ...


class Circuits(Protocol):
    def get(self, tenant_id: str, subscription_id: str) -> Circuit: ...
    def save(self, tenant_id: str, subscription_id: str, circuit: Circuit) -> None: ...


class Deliveries(Protocol):
    def get(self, tenant_id: str, subscription_id: str, event_id: str) -> WebhookDelivery | None: ...
    def save(self, delivery: WebhookDelivery) -> None: ...
    def page(
        self,
        tenant_id: str,
        subscription_id: str,
        *,
        status: DeliveryStatus | None,
        limit: int,
        after: str | None,
    ) -> tuple[list[WebhookDelivery], bool]: ...


class EventBody(Protocol):
    """What a webhook receiver is sent for one bus event (its type and detail), as a family shows events."""

    def __call__(self, event_type: str, detail: dict[str, Any], /) -> str: ...


class Companies(Protocol):
    def add(self, company: Company, event: DomainEvent) -> None: ...
    def get(self, tenant_id: str, company_id: str) -> Company | None: ...
    def save(self, company: Company, event: DomainEvent) -> None: ...
    def page(self, tenant_id: str, *, limit: int, after: str | None) -> tuple[list[Company], bool]: ...


class Consents(Protocol):
    def add(self, consent: Consent, event: DomainEvent) -> None: ...
    def get(self, tenant_id: str, consent_id: str) -> Consent | None: ...
    def save(self, consent: Consent, event: DomainEvent) -> None: ...


class CreditRights(Protocol):
    def add(self, receivable: Receivable, event: DomainEvent) -> None:
        """Conflict `duplicate_internal_number` when the tenant already has the internal number."""

    def get(self, tenant_id: str, internal_number: str) -> Receivable | None: ...

    def page(self, tenant_id: str, *, limit: int, after: str | None) -> tuple[list[Receivable], bool]:
        """The tenant's receivables by internal number, a page beyond `after`; whether more follow."""

    def save(self, receivable: Receivable, previous_version: int, events: list[DomainEvent]) -> None:
        """Conflict when the stored receivable is no longer at `previous_version`, writing nothing."""


class AnnouncesReceivable(Protocol):
    """The registry event announcing a change to `receivable` (with what the registrar said: why it refused,
    what failed), as its family shows it (financing.composition.credit_rights injects it)."""

    def __call__(
        self, event_type: str, receivable: Receivable, correlation_id: str, /, **extra: Any
    ) -> DomainEvent: ...


class Registrar(Protocol):
    """The receivables registrar; TransientRegistrarError (domain) when it cannot answer now."""

    def register(self, owner: str, debtor_document: str, holding_number: str) -> Outcome: ...
    def inactivate(self, owner: str, debtor_document: str, holding_number: str) -> Outcome: ...


class Documents(Protocol):
    def add(self, document: Document, event: DomainEvent) -> None: ...
    def get(self, tenant_id: str, document_id: str) -> Document | None: ...
    def save(self, document: Document, event: DomainEvent) -> None: ...


class StoredFile(Protocol):
    @property
    def version_id(self) -> str | None: ...
    @property
    def size(self) -> int: ...


class Files(Protocol):
    def upload_form(self, document: Document) -> UploadForm: ...
    def stored(self, document: Document) -> StoredFile | None: ...
    def download_link(self, document: Document) -> DownloadLink: ...


class BuyerLimits(Protocol):
    def add(self, limit: BuyerLimit, event: DomainEvent) -> None: ...
    def get(self, tenant_id: str, limit_id: str) -> BuyerLimit | None: ...
    def decide(self, limit: BuyerLimit, event: DomainEvent) -> None: ...
    def page(
        self, tenant_id: str, *, company_id: str | None, limit: int, after: str | None
    ) -> tuple[list[BuyerLimit], bool]: ...


class Exposures(Protocol):
    """The buyers' exposures (each buyer's current limit and outstanding advances)."""

    def get(self, tenant_id: str, company_id: str) -> Exposure | None: ...
    def get_many(self, tenant_id: str, company_ids: set[str]) -> dict[str, Exposure]: ...
    def all(self, tenant_id: str) -> list[Exposure]: ...


class Journal(Protocol):
    """The double-entry journal, oldest entry first; `after` is a position a page reached (an entry's
    sort key, or the end of a month read through), and the stored closings of final months."""

    def of_invoice(
        self,
        tenant_id: str,
        invoice_id: str,
        *,
        start: date | None = None,
        end: date | None = None,
        after: str | None = None,
        account: Account | None = None,
    ) -> Iterator[JournalEntry]: ...
    def journal_from(self, tenant_id: str, month: str, *, end: date) -> Iterator[JournalEntry]:
        """The tenant's entries posted from the start of `month` (YYYY-MM) through the day `end`."""

    def first_month(self, tenant_id: str) -> str | None:
        """A month no entry of the tenant is older than (None: the tenant has no journal)."""

    def closing(self, tenant_id: str, *, through: str) -> MonthClosing | None:
        """The latest stored month's closing of the tenant, of the month `through` or earlier."""

    def close(self, closing: MonthClosing) -> None:
        """Store a final month's closing; one already stored for that month is kept (they are equal)."""

    def volumes(self, tenant_id: str, *, first: str, last: str) -> dict[str, dict[str, Volume]]:
        """Per month from `first` through `last` (YYYY-MM), the volume per currency its stored closing
        holds; a month without a stored closing, or whose closing holds none, is left out."""

    def page(
        self,
        tenant_id: str,
        *,
        invoice_id: str | None,
        start: date | None,
        end: date | None,
        after: str | None,
        account: Account | None,
        limit: int,
    ) -> tuple[list[JournalEntry], str | None]:
        """Up to `limit` entries (the tenant's, or one invoice's) and the position the next page resumes
        from, None when no more can follow. A store may end a page early (a read budget), even empty,
        with a position; walking the positions returns every entry once, in order."""


class CreditLines(Protocol):
    def get(self, tenant_id: str) -> CreditLine | None: ...


class CreditLineTerms(Protocol):
    def get(self, tenant_id: str) -> CreditLine | None: ...

    def set_terms(self, line: CreditLine, event: DomainEvent) -> None:
        """Write the lender's terms with their event, keeping the principal drawn as stored. Conflict
        `credit_line_in_use`, writing nothing, when the currency changes while principal is drawn."""


class Settings(Protocol):
    def get(self, tenant_id: str) -> TenantSettings: ...

    def save(self, settings: TenantSettings, event: DomainEvent) -> None:
        """Conflict when the stored settings are no longer at `settings.version - 1`; while a concentration
        limit is on, the tenant's portfolio items take the limit's terms in the same commit."""


class Portfolio(Protocol):
    def track(self, tenant_id: str, since: int) -> int:
        """Count every buyer exposure not yet counted in epoch `since` into the tenant's portfolio."""


class InvoiceStore(Protocol):
    """Invoices with their history; every change commits whole with its history, its journal entry, the
    buyer's exposure, the credit line and the outbox events, or not at all."""

    def get(self, tenant_id: str, invoice_id: str) -> Invoice | None: ...
    def page(self, tenant_id: str, *, limit: int, after: str | None, filters: dict[str, str]) -> ListedPage:
        """Newest first, under a read budget: a page may end early; `last_examined` is where it stopped."""

    def history(
        self, tenant_id: str, invoice_id: str, *, limit: int, after: str | None
    ) -> tuple[list[dict], bool]: ...
    def due_on_or_before(self, day: date) -> Iterable[Invoice]: ...

    def create(self, invoice: Invoice, event: DomainEvent) -> None:
        """Conflict `duplicate_client_reference_id` when the tenant already has the client reference."""

    def replace_draft(self, invoice: Invoice, previous: Invoice, event: DomainEvent) -> None: ...
    def delete_draft(self, invoice: Invoice, event: DomainEvent) -> None: ...

    def move(
        self,
        invoice: Invoice,
        previous: Invoice,
        transitions: list[Transition],
        actor: Actor,
        events: list[DomainEvent],
        *,
        limit_guard: dict[str, Any] | None = None,
        credit_line: CreditLine | None = None,
        concentration: Guard | None = None,
    ) -> None:
        """Commit `previous` -> `invoice`. Refused, writing nothing: Conflict `conflict` when the stored
        invoice is no longer at `previous.version`; BuyerLimitExceeded when an exposure increase no
        longer fits `limit_guard` ({"total_limit", "headroom"} as read); CreditLineExceeded when a draw
        no longer fits the line as read; ConcentrationRaced when the concentration read moved on."""

    def move_many(self, moves: list[Move], actor: Actor, events: list[DomainEvent]) -> None:
        """Several moves without exposure changes, all or nothing."""


class InvoiceReads(Protocol):
    """What the invoice use cases read beside invoices; each method is one consistent read."""

    def references(
        self, tenant_id: str, company_ids: list[str], document_id: str | None
    ) -> tuple[dict[str, Company], Document | None]:
        """The companies that exist among `company_ids`, by id, and the document if it exists."""

    def submission(
        self, tenant_id: str, buyer: str, document_id: str
    ) -> tuple[Exposure | None, Document | None]: ...
    def funding(self, tenant_id: str, invoice: Invoice) -> FundingFacts: ...
    def exposure(self, tenant_id: str, buyer: str) -> tuple[TenantSettings, Exposure | None]: ...

    def portfolio(self, tenant_id: str, currency: str, since: int) -> int:
        """The outstanding the tenant's portfolio holds in `currency` in the limit's epoch `since`."""


class ListedPage(Protocol):
    invoices: list[Invoice]  # in the direction read
    more: bool  # whether matching invoices may follow in that direction
    last_examined: str | None  # the position reached


class FinancingList(Protocol):
    def page(
        self, tenant_id: str, query: InvoiceQuery, *, after: str | None, backward: bool
    ) -> ListedPage: ...


@dataclass(frozen=True)
class InvoiceShapes:
    """How the invoice use cases show what they announce and keep (financing.composition.invoices injects
    the core family's; a use case knows no family's shape)."""

    event: Announces[Invoice]  # an invoice's events
    document_event: Announces[Document]  # a document's upload, when a submission first finds its file
    document_snapshot: Callable[[Document], dict[str, Any]]  # what an invoice keeps of the document it names
    render: Callable[[Invoice], dict[str, Any]]  # the invoice as the family answers with it


@dataclass(frozen=True)
class ConnectShapes:
    """How the hosted financing page is shown the business's offer and a session's invoices (Monite's
    shapes: financing.composition.financing_push injects them)."""

    offer: Callable[[CreditLine | None], dict[str, Any]]  # the offer, or none without a credit line
    invoice: Callable[[Invoice, str | None], dict[str, Any]]  # an invoice, with its payer's name if known


class ConsentedReads(Protocol):
    """What an Open Finance request reads under its consent; each method is one consistent read."""

    def consented(
        self, tenant_id: str, consent_id: str, invoice_id: str | None
    ) -> tuple[Consent | None, TenantSettings, Invoice | None]:
        """The consent, the tenant's settings (the defaults when never saved) and, when asked for, the
        invoice; None for what does not exist."""

    def contract_keys(
        self, tenant_id: str, customer_document: str, *, funded_by: datetime
    ) -> list[dict[str, str]]:
        """Every contract of one customer funded at or before `funded_by`, newest first, as {"id", "type"}."""


class ContractPage(Protocol):
    """A page of an Open Finance listing, over the listing's snapshot (what existed at that moment)."""

    @property
    def snapshot(self) -> datetime: ...


@dataclass(frozen=True)
class OpenFinancePorts:
    """What the Open Finance reads depend on (the real ones: financing.composition.open_finance): the
    reads, and how the family names contracts and pages."""

    reads: ConsentedReads
    invoice_id_of: Callable[[str], str | None]  # the invoice behind a contractId; None: not one of ours
    page_request: Callable[[int, int, str | None, str], ContractPage]  # (page, size, key, listing bound to)


@dataclass(frozen=True)
class InvoicePorts:
    """The stores behind the invoice use cases, and the shapes of what they announce and keep (the real
    ones: financing.composition.invoices)."""

    invoices: InvoiceStore
    reads: InvoiceReads
    companies: Companies
    documents: Documents
    files: Files
    financing_list: FinancingList
    shapes: InvoiceShapes
