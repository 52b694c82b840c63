"""In-memory fakes of the invoice use cases' ports (financing.services.ports), for fast tests.

They keep the guarantees the use cases rely on, decided as the DynamoDB adapters decide them: a write
conditioned on a version is refused when the stored item moved on; a funding's exposure increase is
refused when the buyer's limit it was decided on no longer holds; a draw, when the credit line read no
longer has room; a concentration guard, when the exposure or the portfolio it read changed. A refused
commit writes nothing. tests/integration/test_invoice_ports_contract.py runs the same use-case tests
on these fakes and on the real adapters (moto), so the fakes cannot drift from them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any

from financing.adapters.ledger import sort_key  # the position format of the journal's cursors
from financing.clock import iso
from financing.clock import now as clock_now
from financing.composition.invoices import invoice_shapes
from financing.domain.actor import Actor
from financing.domain.buyer_limits import BuyerLimit, BuyerLimitExceeded, Exposure, LimitStatus, superseded
from financing.domain.companies import Company
from financing.domain.concentration import ConcentrationRaced, Guard, Within
from financing.domain.consents import Consent
from financing.domain.credit_line import CreditLine, CreditLineExceeded
from financing.domain.credit_rights import Receivable
from financing.domain.documents import Document, DownloadLink, UploadForm
from financing.domain.errors import Conflict, FieldProblem, InvalidInput
from financing.domain.events import DomainEvent
from financing.domain.financing_list import InvoiceQuery, Order, matches
from financing.domain.funding_facts import FundingFacts
from financing.domain.invoices import Invoice, Transition
from financing.domain.ledger import Account, JournalEntry, MonthClosing, Volume, entry_for, month_of
from financing.domain.lifecycle import CONTRACTS, Status
from financing.domain.money import EXPONENTS
from financing.domain.settings import TenantSettings, defaults
from financing.domain.webhooks import Secret, WebhookSubscription, limit_reached
from financing.ids import new_id
from financing.services.ports import InvoicePorts

AGEING = {Status.FINANCED, Status.OVERDUE}


@dataclass
class Portfolio:
    outstanding: int
    cap: int
    applies_above: int


@dataclass
class Books:
    """Everything the fakes hold, keyed as the table keys it (tenant first)."""

    invoices: dict[tuple[str, str], Invoice] = field(default_factory=dict)
    claims: dict[tuple[str, str], str] = field(default_factory=dict)  # client reference -> invoice id
    history: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)
    exposures: dict[tuple[str, str], Exposure] = field(default_factory=dict)
    portfolios: dict[tuple[str, str, int], Portfolio] = field(default_factory=dict)
    credit_lines: dict[str, CreditLine] = field(default_factory=dict)
    settings: dict[str, TenantSettings] = field(default_factory=dict)
    companies: dict[tuple[str, str], Company] = field(default_factory=dict)
    documents: dict[tuple[str, str], Document] = field(default_factory=dict)
    consents: dict[tuple[str, str], Consent] = field(default_factory=dict)
    buyer_limits: dict[tuple[str, str], BuyerLimit] = field(default_factory=dict)
    credit_rights: dict[tuple[str, str], Receivable] = field(default_factory=dict)
    subscriptions: dict[tuple[str, str], WebhookSubscription] = field(default_factory=dict)
    files: set[tuple[str, str]] = field(default_factory=set)  # (tenant, document id) uploaded
    receivables: dict[tuple[str, str], str] = field(default_factory=dict)  # internal number -> status
    journal: dict[str, JournalEntry] = field(default_factory=dict)
    closings: dict[tuple[str, str], MonthClosing] = field(default_factory=dict)  # (tenant, month)
    outbox: list[DomainEvent] = field(default_factory=list)


def _lost_race(invoice: Invoice) -> Conflict:
    return Conflict(
        f"Invoice '{invoice.id}' was changed by another request; read it again and retry.", code="conflict"
    )


def _on_line(invoice: Invoice) -> int:
    return invoice.exposure if invoice.financing and invoice.financing.on_credit_line else 0


class FakeInvoiceStore:
    def __init__(self, books: Books) -> None:
        self.books = books

    # ------------------------------------------------------------------------------------- reads

    def get(self, tenant_id: str, invoice_id: str) -> Invoice | None:
        return self.books.invoices.get((tenant_id, invoice_id))

    def page(self, tenant_id: str, *, limit: int, after: str | None, filters: dict[str, str]) -> FakePage:
        found = [
            invoice
            for (tenant, invoice_id), invoice in sorted(self.books.invoices.items(), reverse=True)
            if tenant == tenant_id
            and (after is None or invoice_id < after)
            and all(_field(invoice, name) == value for name, value in filters.items())
        ]
        page = found[:limit]
        return FakePage(page, len(found) > limit, page[-1].id if page else after)

    def history(
        self, tenant_id: str, invoice_id: str, *, limit: int, after: str | None
    ) -> tuple[list[dict], bool]:
        entries = self.books.history.get((tenant_id, invoice_id), [])
        found = [entry for entry in entries if after is None or entry["sk"] > after]
        return found[:limit], len(found) > limit

    def due_on_or_before(self, day: date) -> list[Invoice]:
        return [
            invoice
            for invoice in self.books.invoices.values()
            if invoice.status in AGEING
            and not (invoice.financing and invoice.financing.settled_on)
            and invoice.due_date <= day
        ]

    # ------------------------------------------------------------------------------------ writes

    def create(self, invoice: Invoice, event: DomainEvent) -> None:
        claim = (invoice.tenant_id, invoice.client_reference_id)
        if claim in self.books.claims:
            existing = self.books.claims[claim]
            raise Conflict(
                f"An invoice with client_reference_id '{invoice.client_reference_id}' already exists: {existing}.",
                code="duplicate_client_reference_id",
                details={"invoice": existing},
            )
        if (invoice.tenant_id, invoice.id) in self.books.invoices:
            raise Conflict(f"Invoice '{invoice.id}' already exists.")
        self.books.invoices[(invoice.tenant_id, invoice.id)] = invoice
        self.books.claims[claim] = invoice.id
        self.books.outbox.append(event)

    def replace_draft(self, invoice: Invoice, previous: Invoice, event: DomainEvent) -> None:
        moved_claim = invoice.client_reference_id != previous.client_reference_id
        if moved_claim and (invoice.tenant_id, invoice.client_reference_id) in self.books.claims:
            raise Conflict(
                f"client_reference_id '{invoice.client_reference_id}' is used by another invoice.",
                code="duplicate_client_reference_id",
            )
        if not self._at(previous):
            raise _lost_race(invoice)
        if moved_claim:
            del self.books.claims[(previous.tenant_id, previous.client_reference_id)]
            self.books.claims[(invoice.tenant_id, invoice.client_reference_id)] = invoice.id
        self.books.invoices[(invoice.tenant_id, invoice.id)] = invoice
        self.books.outbox.append(event)

    def delete_draft(self, invoice: Invoice, event: DomainEvent) -> None:
        if not self._at(invoice):
            raise _lost_race(invoice)
        del self.books.invoices[(invoice.tenant_id, invoice.id)]
        self.books.claims.pop((invoice.tenant_id, invoice.client_reference_id), None)
        self.books.outbox.append(event)

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
        entry = self._entry(invoice, previous, actor, events)
        lost = not self._at(previous)  # the invoice's own condition (the adapter's write 0)
        entry_refused = entry is not None and entry.id in self.books.journal
        delta = invoice.exposure - previous.exposure
        exposure_key = (invoice.tenant_id, invoice.buyer)
        exposure = self.books.exposures.get(exposure_key)
        portfolio = None
        exposure_refused = portfolio_refused = line_refused = False
        if delta:
            assert concentration is not None, "an exposure change must carry its concentration guard"
            exposure_refused = _exposure_refuses(exposure, delta, limit_guard, concentration)
            if concentration.since is not None:
                portfolio_key = (invoice.tenant_id, invoice.currency, concentration.since)
                portfolio = self.books.portfolios.get(portfolio_key)
                portfolio_refused = _portfolio_refuses(portfolio, delta, concentration)
        drawn = _on_line(invoice) - _on_line(previous)
        line = self.books.credit_lines.get(invoice.tenant_id)
        if drawn > 0:
            assert credit_line is not None, "a draw on the credit line must be guarded by the line"
            line_refused = (
                line is None
                or line.total_amount != credit_line.total_amount
                or line.outstanding > credit_line.total_amount - drawn
                or line.currency != credit_line.currency
            )
        if lost or entry_refused or exposure_refused or portfolio_refused or line_refused:
            # Told apart as adapters/invoices.InvoiceStore.move tells DynamoDB's cancellation reasons apart.
            if not lost and (exposure_refused or portfolio_refused) and self._raced(exposure, concentration):
                raise ConcentrationRaced(
                    "The buyer's exposure or the tenant's portfolio changed meanwhile; retry.",
                    code="conflict",
                )
            if delta > 0 and exposure_refused and not lost:
                raise BuyerLimitExceeded(
                    "Funding this invoice would exceed the buyer's available limit.",
                    code="buyer_limit_exceeded",
                )
            if line_refused and not (lost or entry_refused or exposure_refused or portfolio_refused):
                raise CreditLineExceeded(
                    "Funding this invoice would exceed the credit line's available amount.",
                    code="credit_line_exceeded",
                )
            raise _lost_race(invoice)
        if delta:
            assert exposure is not None and concentration is not None
            tracked = concentration.since is None or concentration.tracked
            self.books.exposures[exposure_key] = replace(
                exposure,
                outstanding=exposure.outstanding + delta,
                version=exposure.version + (1 if delta > 0 else 0),
                concentration_since=exposure.concentration_since if tracked else concentration.since,
            )
            if portfolio is not None:
                portfolio.outstanding += delta + (0 if concentration.tracked else concentration.buyer)
        if drawn and line is not None:
            self.books.credit_lines[invoice.tenant_id] = line.model_copy(
                update={"outstanding": line.outstanding + drawn}
            )
        self._commit(invoice, transitions, actor, entry, events)

    def move_many(self, moves: list[tuple[Invoice, Invoice, list[Transition]]], actor: Actor, events) -> None:
        entries = []
        for invoice, previous, _ in moves:
            entry = self._entry(invoice, previous, actor, events)
            if not self._at(previous) or (entry is not None and entry.id in self.books.journal):
                raise _lost_race(invoice)
            entries.append(entry)
        for (invoice, _, transitions), entry in zip(moves, entries, strict=True):
            self._commit(invoice, transitions, actor, entry, [])
        self.books.outbox += events

    # ---------------------------------------------------------------------------------- helpers

    def _at(self, previous: Invoice) -> bool:
        stored = self.books.invoices.get((previous.tenant_id, previous.id))
        return stored is not None and stored.version == previous.version

    @staticmethod
    def _entry(
        invoice: Invoice, previous: Invoice, actor: Actor, events: list[DomainEvent]
    ) -> JournalEntry | None:
        cause = next((e for e in events if e.object.get("id") == invoice.id), events[0] if events else None)
        return entry_for(
            previous,
            invoice,
            event_id=cause.id if cause else "",
            correlation_id=actor.correlation_id,
            at=invoice.updated,
        )

    def _commit(
        self,
        invoice: Invoice,
        transitions: list[Transition],
        actor: Actor,
        entry: JournalEntry | None,
        events: list[DomainEvent],
    ) -> None:
        key = (invoice.tenant_id, invoice.id)
        self.books.invoices[key] = invoice
        history = self.books.history.setdefault(key, [])
        for transition in transitions:
            at = iso(invoice.updated)
            history.append(
                {
                    "sk": f"{at}#{len(history):06d}",
                    "kind": "history",
                    "action": transition.action.value,
                    "from": transition.from_status.value,
                    "to": transition.to_status.value,
                    "reason": transition.reason,
                    "actor": actor.subject,
                    "at": at,
                    "correlation_id": actor.correlation_id,
                }
            )
        if entry is not None:
            self.books.journal[entry.id] = entry
        self.books.outbox += events

    def _raced(self, exposure: Exposure | None, guard: Guard | None) -> bool:
        if guard is None or guard.since is not None:
            return guard is not None
        return (exposure.concentration_since or 0) > guard.settings_version if exposure else False


def _exposure_refuses(
    exposure: Exposure | None, delta: int, limit_guard: dict[str, Any] | None, guard: Guard
) -> bool:
    """Whether the exposure's conditions (adapters/concentration.exposure_change) fail."""
    if exposure is None:
        return True
    if delta > 0:
        assert limit_guard is not None, "an exposure increase must be guarded by the limit"
        if not (
            exposure.limit_status == LimitStatus.APPROVED
            and exposure.total_limit == limit_guard["total_limit"]
            and exposure.outstanding <= limit_guard["headroom"]
        ):
            return True
    since = exposure.concentration_since
    if guard.since is None:
        return not (since is None or since <= guard.settings_version)
    if guard.tracked:
        beyond_read = delta > 0 and guard.within == Within.CAP and exposure.outstanding > guard.buyer
        return since != guard.since or beyond_read
    return since == guard.since or exposure.outstanding != guard.buyer


def _portfolio_refuses(portfolio: Portfolio | None, delta: int, guard: Guard) -> bool:
    if portfolio is None:
        return True
    if delta <= 0:
        return False
    if portfolio.cap != guard.cap or portfolio.applies_above != guard.applies_above:
        return True
    if guard.within == Within.CAP:
        return portfolio.outstanding < guard.portfolio
    return portfolio.outstanding > guard.room


def _field(invoice: Invoice, name: str) -> str:
    value = getattr(invoice, name)
    return value.value if hasattr(value, "value") else value


class FakeInvoiceReads:
    def __init__(self, books: Books) -> None:
        self.books = books

    def _settings(self, tenant_id: str) -> TenantSettings:
        return self.books.settings.get(tenant_id) or defaults(tenant_id)

    def references(
        self, tenant_id: str, company_ids: list[str], document_id: str | None
    ) -> tuple[dict[str, Company], Document | None]:
        companies = {i: c for i in company_ids if (c := self.books.companies.get((tenant_id, i)))}
        document = self.books.documents.get((tenant_id, document_id)) if document_id else None
        return companies, document

    def submission(
        self, tenant_id: str, buyer: str, document_id: str
    ) -> tuple[Exposure | None, Document | None]:
        return self.books.exposures.get((tenant_id, buyer)), self.books.documents.get(
            (tenant_id, document_id)
        )

    def funding(self, tenant_id: str, invoice: Invoice) -> FundingFacts:
        number = invoice.credit_rights_internal_number
        return FundingFacts(
            settings=self._settings(tenant_id),
            exposure=self.books.exposures.get((tenant_id, invoice.buyer)),
            credit_line=self.books.credit_lines.get(tenant_id),
            supplier=self.books.companies.get((tenant_id, invoice.supplier)),
            receivable_status=self.books.receivables.get((tenant_id, number)) if number else None,
        )

    def exposure(self, tenant_id: str, buyer: str) -> tuple[TenantSettings, Exposure | None]:
        return self._settings(tenant_id), self.books.exposures.get((tenant_id, buyer))

    def portfolio(self, tenant_id: str, currency: str, since: int) -> int:
        portfolio = self.books.portfolios.get((tenant_id, currency, since))
        return portfolio.outstanding if portfolio else 0


class FakeSettings:
    def __init__(self, books: Books) -> None:
        self.books = books

    def get(self, tenant_id: str) -> TenantSettings:
        return self.books.settings.get(tenant_id) or defaults(tenant_id)

    def save(self, settings: TenantSettings, event: DomainEvent) -> None:
        """As adapters/settings.SettingsStore.save with adapters/concentration.portfolio_terms."""
        stored = self.books.settings.get(settings.tenant_id)
        if (stored.version if stored else 0) != settings.version - 1:
            raise Conflict("The settings were changed by another request; read them again and retry.")
        limit, since = settings.concentration_limit(), settings.concentration_since
        keys = [(settings.tenant_id, currency, since) for currency in sorted(EXPONENTS)]
        if limit is not None and since is not None:
            fresh = since == settings.version
            if any((key in self.books.portfolios) == fresh for key in keys):
                raise Conflict("The settings were changed by another request; read them again and retry.")
            for key in keys:
                kept = 0 if fresh else self.books.portfolios[key].outstanding
                self.books.portfolios[key] = Portfolio(kept, limit.cap, limit.applies_above)
        self.books.settings[settings.tenant_id] = settings
        self.books.outbox.append(event)


class FakePortfolio:
    def __init__(self, books: Books) -> None:
        self.books = books

    def track(self, tenant_id: str, since: int) -> int:
        untracked = [
            (key, exposure)
            for key, exposure in sorted(self.books.exposures.items())
            if key[0] == tenant_id and exposure.concentration_since != since
        ]
        for key, exposure in untracked:
            self.books.exposures[key] = replace(exposure, concentration_since=since)
            self.books.portfolios[(tenant_id, exposure.currency, since)].outstanding += exposure.outstanding
        return len(untracked)


class _Versioned:
    """Items added once and saved on their version (companies, documents), with their events."""

    name = "Item"

    def __init__(self, books: Books, held: dict) -> None:
        self.books, self.held = books, held

    def add(self, item: Any, event: DomainEvent) -> None:
        if (item.tenant_id, item.id) in self.held:
            raise Conflict(f"{self.name} '{item.id}' already exists.")
        self.held[(item.tenant_id, item.id)] = item
        self.books.outbox.append(event)

    def get(self, tenant_id: str, item_id: str) -> Any:
        return self.held.get((tenant_id, item_id))

    def save(self, item: Any, event: DomainEvent) -> None:
        stored = self.held.get((item.tenant_id, item.id))
        if stored is None or stored.version != item.version - 1:
            raise Conflict(
                f"{self.name} '{item.id}' was changed by another request; read it again and retry."
            )
        self.held[(item.tenant_id, item.id)] = item
        self.books.outbox.append(event)


class FakeCompanies(_Versioned):
    name = "Company"

    def __init__(self, books: Books) -> None:
        super().__init__(books, books.companies)

    def page(self, tenant_id: str, *, limit: int, after: str | None) -> tuple[list[Company], bool]:
        found = [
            c
            for (tenant, company_id), c in sorted(self.held.items(), reverse=True)
            if tenant == tenant_id and (after is None or company_id < after)
        ]
        return found[:limit], len(found) > limit


class FakeConsents(_Versioned):
    name = "Consent"

    def __init__(self, books: Books) -> None:
        super().__init__(books, books.consents)


class FakeDocuments(_Versioned):
    name = "Document"

    def __init__(self, books: Books) -> None:
        super().__init__(books, books.documents)


@dataclass(frozen=True)
class FakeStoredFile:
    version_id: str | None
    size: int


class FakeFiles:
    """Documents' files: a file is there once `books.files` names its document."""

    URL = "https://files.invalid/"

    def __init__(self, books: Books) -> None:
        self.books = books

    def upload_form(self, document: Document) -> UploadForm:
        return UploadForm(url=self.URL, fields={"key": document.object_key}, expires_at=_far())

    def stored(self, document: Document) -> FakeStoredFile | None:
        if (document.tenant_id, document.id) not in self.books.files:
            return None
        return FakeStoredFile(version_id=None, size=8)

    def download_link(self, document: Document) -> DownloadLink:
        return DownloadLink(url=self.URL + document.object_key, expires_at=_far())


def _far() -> datetime:
    return datetime(2100, 1, 1, tzinfo=UTC)


class FakeFinancingList:
    """The financing list as its plain definition: the tenant's matching invoices in id order."""

    def __init__(self, books: Books) -> None:
        self.books = books

    def page(self, tenant_id: str, query: InvoiceQuery, *, after: str | None, backward: bool) -> Any:
        forward = (query.order == Order.ASC) != backward
        ids = sorted((i for t, i in self.books.invoices if t == tenant_id), reverse=not forward)
        beyond = [i for i in ids if after is None or (i > after if forward else i < after)]
        found = [
            invoice
            for i in beyond
            if matches(invoice := self.books.invoices[(tenant_id, i)], query) and not query.empty
        ]
        page = found[: query.limit]
        return FakePage(page, len(found) > query.limit, page[-1].id if page else after)


@dataclass
class FakePage:
    invoices: list[Invoice]
    more: bool
    last_examined: str | None


class FakeCreditLineTerms:
    """As adapters/credit_line.CreditLineStore: the lender's terms, keeping the principal drawn."""

    def __init__(self, books: Books) -> None:
        self.books = books

    def get(self, tenant_id: str) -> CreditLine | None:
        return self.books.credit_lines.get(tenant_id)

    def set_terms(self, line: CreditLine, event: DomainEvent) -> None:
        stored = self.books.credit_lines.get(line.tenant_id)
        if stored and stored.outstanding and stored.currency != line.currency:
            raise Conflict(
                "The credit line's currency cannot change while principal is outstanding on it.",
                code="credit_line_in_use",
            )
        kept = (
            {"outstanding": stored.outstanding, "version": stored.version + 1} if stored else {"version": 1}
        )
        self.books.credit_lines[line.tenant_id] = line.model_copy(update=kept)
        self.books.outbox.append(event)


class FakeBuyerLimits:
    """As adapters/buyer_limits.BuyerLimitStore: a requested limit becomes its buyer's current request (the
    company must exist, in the exposure's currency); a decision holds only on the limit's version and while
    it is still the current request, and moves the exposure's status (and total, on approval)."""

    def __init__(self, books: Books) -> None:
        self.books = books

    def add(self, limit: BuyerLimit, event: DomainEvent) -> None:
        key = (limit.tenant_id, limit.company_id)
        if key not in self.books.companies:
            raise InvalidInput([FieldProblem("company", f"no such company: '{limit.company_id}'")])
        exposure = self.books.exposures.get(key)
        if exposure is not None and exposure.currency != limit.currency:
            raise Conflict("Another currency.", code="currency_mismatch")
        if (limit.tenant_id, limit.id) in self.books.buyer_limits:
            raise Conflict(f"Buyer limit '{limit.id}' already exists.")
        self.books.buyer_limits[(limit.tenant_id, limit.id)] = limit
        self.books.exposures[key] = Exposure(
            company_id=limit.company_id,
            current_limit_id=limit.id,
            limit_status=LimitStatus.PENDING,
            total_limit=exposure.total_limit if exposure else 0,
            currency=limit.currency,
            outstanding=exposure.outstanding if exposure else 0,
            version=(exposure.version if exposure else 0) + 1,
            concentration_since=exposure.concentration_since if exposure else None,
        )
        self.books.outbox.append(event)

    def get(self, tenant_id: str, limit_id: str) -> BuyerLimit | None:
        return self.books.buyer_limits.get((tenant_id, limit_id))

    def decide(self, limit: BuyerLimit, event: DomainEvent) -> None:
        stored = self.books.buyer_limits.get((limit.tenant_id, limit.id))
        if stored is None or stored.version != limit.version - 1:
            raise Conflict(f"Buyer limit '{limit.id}' was changed by another request; read it again.")
        key = (limit.tenant_id, limit.company_id)
        exposure = self.books.exposures.get(key)
        if exposure is None or exposure.current_limit_id != limit.id:
            raise superseded(limit.id)
        total = limit.total_limit if limit.status == LimitStatus.APPROVED else exposure.total_limit
        self.books.exposures[key] = replace(
            exposure, limit_status=limit.status, total_limit=total or 0, version=exposure.version + 1
        )
        self.books.buyer_limits[(limit.tenant_id, limit.id)] = limit
        self.books.outbox.append(event)

    def page(
        self, tenant_id: str, *, company_id: str | None, limit: int, after: str | None
    ) -> tuple[list[BuyerLimit], bool]:
        found = [
            item
            for (tenant, limit_id), item in sorted(self.books.buyer_limits.items(), reverse=True)
            if tenant == tenant_id
            and (company_id is None or item.company_id == company_id)
            and (after is None or limit_id < after)
        ]
        return found[:limit], len(found) > limit


class FakeCreditRights:
    """As adapters/credit_rights.CreditRightStore: one receivable per internal number, saved on its version."""

    def __init__(self, books: Books) -> None:
        self.books = books

    def add(self, receivable: Receivable, event: DomainEvent) -> None:
        key = (receivable.tenant_id, receivable.internal_number)
        if key in self.books.credit_rights:
            raise Conflict("Already exists.", code="duplicate_internal_number")
        self.books.credit_rights[key] = receivable
        self.books.outbox.append(event)

    def get(self, tenant_id: str, internal_number: str) -> Receivable | None:
        return self.books.credit_rights.get((tenant_id, internal_number))

    def save(self, receivable: Receivable, previous_version: int, events: list[DomainEvent]) -> None:
        key = (receivable.tenant_id, receivable.internal_number)
        stored = self.books.credit_rights.get(key)
        if stored is None or stored.version != previous_version:
            raise Conflict(f"Receivable '{receivable.internal_number}' was changed by another request.")
        self.books.credit_rights[key] = receivable
        self.books.outbox.extend(events)


class FakeSubscriptions(_Versioned):
    """As adapters/webhooks.SubscriptionStore: at most `limit` subscriptions a tenant, saved and removed on
    their version; a secret is revealed as it is held (the fakes seal nothing)."""

    name = "Webhook subscription"

    def __init__(self, books: Books) -> None:
        super().__init__(books, books.subscriptions)

    def add(self, subscription: WebhookSubscription, event: DomainEvent, *, limit: int) -> None:
        if sum(1 for tenant, _ in self.held if tenant == subscription.tenant_id) >= limit:
            raise limit_reached()
        super().add(subscription, event)

    def remove(self, subscription: WebhookSubscription, event: DomainEvent) -> None:
        stored = self.held.get((subscription.tenant_id, subscription.id))
        if stored is None or stored.version != subscription.version:
            raise Conflict(f"Webhook subscription '{subscription.id}' was changed by another request.")
        del self.held[(subscription.tenant_id, subscription.id)]
        self.books.outbox.append(event)

    def page(
        self, tenant_id: str, *, limit: int, after: str | None
    ) -> tuple[list[WebhookSubscription], bool]:
        found = [
            s
            for (tenant, s_id), s in sorted(self.held.items())
            if tenant == tenant_id and (after is None or s_id > after)
        ]
        return found[:limit], len(found) > limit

    def every(self, tenant_id: str) -> list[WebhookSubscription]:
        return [s for (tenant, _), s in sorted(self.held.items()) if tenant == tenant_id]

    def reveal(self, subscription: WebhookSubscription, secret: Secret) -> str:
        return secret.get_secret_value()  # type: ignore[union-attr]  # the fakes hold only plain secrets


class FakeConsentedReads:
    """As adapters/open_finance.ConsentedReadStore: the consent, settings and invoice as held, and a
    customer's contracts (financed invoices in the contract statuses) funded by a moment, newest first."""

    def __init__(self, books: Books) -> None:
        self.books = books

    def consented(
        self, tenant_id: str, consent_id: str, invoice_id: str | None
    ) -> tuple[Consent | None, TenantSettings, Invoice | None]:
        invoice = self.books.invoices.get((tenant_id, invoice_id)) if invoice_id else None
        settings = self.books.settings.get(tenant_id) or defaults(tenant_id)
        return self.books.consents.get((tenant_id, consent_id)), settings, invoice

    def contract_keys(
        self, tenant_id: str, customer_document: str, *, funded_by: datetime
    ) -> list[dict[str, str]]:
        found = [
            i
            for (tenant, _), i in self.books.invoices.items()
            if tenant == tenant_id
            and i.status in CONTRACTS
            and i.financing is not None
            and i.financing.customer_document == customer_document
            and i.financing.funded_at <= funded_by
        ]
        found.sort(key=lambda i: (i.financing.funded_at, i.id), reverse=True)  # type: ignore[union-attr]
        return [{"id": i.id, "type": i.type.value} for i in found]


class FakeExposures:
    def __init__(self, books: Books) -> None:
        self.books = books

    def get(self, tenant_id: str, company_id: str) -> Exposure | None:
        return self.books.exposures.get((tenant_id, company_id))

    def get_many(self, tenant_id: str, company_ids: set[str]) -> dict[str, Exposure]:
        return {c: e for c in company_ids if (e := self.books.exposures.get((tenant_id, c)))}

    def all(self, tenant_id: str) -> list[Exposure]:
        return [e for (tenant, _), e in sorted(self.books.exposures.items()) if tenant == tenant_id]


class FakeJournal:
    """The journal as its plain definition: the tenant's entries in position order (`sort_key`, the
    position the journal's cursors carry), posted within the days asked for, beyond `after`."""

    def __init__(self, books: Books) -> None:
        self.books = books

    def _entries(
        self,
        tenant_id: str,
        invoice_id: str | None,
        start: date | None,
        end: date | None,
        after: str | None,
        account: Account | None,
    ) -> Iterator[JournalEntry]:
        for entry in sorted(self.books.journal.values(), key=sort_key):
            day = entry.posted_at.astimezone(UTC).date()
            if (
                entry.tenant_id == tenant_id
                and invoice_id in (None, entry.invoice_id)
                and (start is None or day >= start)
                and (end is None or day <= end)
                and (after is None or sort_key(entry) > after)
                and (account is None or any(p.account == account for p in entry.postings))
            ):
                yield entry

    def of_invoice(
        self,
        tenant_id: str,
        invoice_id: str,
        *,
        start: date | None = None,
        end: date | None = None,
        after: str | None = None,
        account: Account | None = None,
    ) -> Iterator[JournalEntry]:
        return self._entries(tenant_id, invoice_id, start, end, after, account)

    def journal_from(self, tenant_id: str, month: str, *, end: date) -> Iterator[JournalEntry]:
        return (
            e for e in self._entries(tenant_id, None, None, end, None, None) if month_of(e.posted_at) >= month
        )

    def first_month(self, tenant_id: str) -> str | None:
        return min(
            (month_of(e.posted_at) for e in self.books.journal.values() if e.tenant_id == tenant_id),
            default=None,
        )

    def closing(self, tenant_id: str, *, through: str) -> MonthClosing | None:
        months = [m for (tenant, m) in self.books.closings if tenant == tenant_id and m <= through]
        return self.books.closings[(tenant_id, max(months))] if months else None

    def close(self, closing: MonthClosing) -> None:
        self.books.closings.setdefault((closing.tenant_id, closing.month), closing)

    def volumes(self, tenant_id: str, *, first: str, last: str) -> dict[str, dict[str, Volume]]:
        return {
            month: closing.volume
            for (tenant, month), closing in self.books.closings.items()
            if tenant == tenant_id and first <= month <= last and closing.volume is not None
        }

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
        found = list(self._entries(tenant_id, invoice_id, start, end, after, account))
        return found[:limit], sort_key(found[limit - 1]) if len(found) > limit else None


def fake_ports(books: Books | None = None) -> InvoicePorts:
    books = books or Books()
    return InvoicePorts(
        invoices=FakeInvoiceStore(books),
        reads=FakeInvoiceReads(books),
        companies=FakeCompanies(books),
        documents=FakeDocuments(books),
        files=FakeFiles(books),
        financing_list=FakeFinancingList(books),
        shapes=invoice_shapes,  # the core family's: the use-case tests read the events' invoice objects
    )


def announcing(show: Callable[[Any], dict[str, Any]]) -> Callable[[str, Actor, Any], DomainEvent]:
    """An event builder for the use-case tests: the event carries exactly what `show` returns."""

    def event(event_type: str, actor: Actor, item: Any) -> DomainEvent:
        return DomainEvent(
            id=new_id("evt"),
            type=event_type,
            tenant_id=actor.tenant_id,
            correlation_id=actor.correlation_id,
            occurred_at=clock_now(),
            detail={"object": show(item)},
        )

    return event
