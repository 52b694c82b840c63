"""Given-steps and probes for the invoice use-case tests, over one set of ports: `FakeWorld` on the
in-memory fakes (tests/unit/fakes.py); the contract test adds the same world on the real adapters."""

from abc import ABC, abstractmethod
from decimal import Decimal

from financing.clock import now
from financing.composition.settings import settings_event
from financing.domain.actor import Actor
from financing.domain.buyer_limits import Exposure, LimitStatus
from financing.domain.companies import Company, register_company
from financing.domain.credit_line import CreditLine, PricingPlan, RepaymentType
from financing.domain.documents import Document, mark_uploaded, register_document
from financing.domain.events import DomainEvent
from financing.domain.ledger import JournalEntry
from financing.ids import new_id
from financing.services import settings as settings_service
from financing.services.invoices import Invoices
from financing.services.ledger import Ledger
from financing.services.ports import InvoicePorts, Portfolio, Settings
from tests.unit.fakes import Books, FakeExposures, FakeJournal, FakePortfolio, FakeSettings, fake_ports

TENANT = "acme"
LENDER = Actor(tenant_id=TENANT, subject="lender", scopes=frozenset(), correlation_id="corr-test")
PLAN = PricingPlan(advance_rate=8000, fee_rate=300, repayment_type=RepaymentType.FIXED_DATE)


def given_event(type_: str, obj: dict) -> DomainEvent:
    """An outbox entry for a store test that never reaches the bus (the services build real ones)."""
    detail = {"id": new_id("evt"), "type": type_, "object": obj}
    return DomainEvent(
        id=detail["id"],
        type=type_,
        tenant_id=TENANT,
        correlation_id=LENDER.correlation_id,
        occurred_at=now(),
        detail=detail,
    )


class World(ABC):
    """What every backend shares: the given-steps that go through the ports themselves."""

    ports: InvoicePorts
    settings_store: Settings
    portfolio: Portfolio

    def invoices(self, actor: Actor = LENDER) -> Invoices:
        return Invoices(actor, self.ports)

    @abstractmethod
    def ledger(self, actor: Actor = LENDER) -> Ledger: ...

    def company(self, name: str, tax_id: str | None = None) -> Company:
        company = register_company(
            tenant_id=TENANT,
            name=name,
            address={"country_code": "GB"},
            website=None,
            tax_id=tax_id,
            contacts=[{"first_name": "Sam", "last_name": name, "is_signatory": True}],
        )
        self.ports.companies.add(company, given_event("company.created", {"id": company.id}))
        return company

    def document(self) -> Document:
        """An invoice document whose file is uploaded."""
        pending = register_document(tenant_id=TENANT, name="INV-1.pdf", purpose="invoice", file_format="pdf")
        document = mark_uploaded(pending, object_version=None, size=8)
        self.ports.documents.add(document, given_event("document.created", {"id": document.id}))
        return document

    def settings(self, **terms) -> None:
        """The tenant's settings replaced through their use case (a concentration limit counts the book)."""
        settings_service.replace_settings(
            self.settings_store, LENDER, terms, self.portfolio, announce=settings_event
        )

    def exposure(self, buyer: str) -> Exposure | None:
        return self.ports.reads.exposure(TENANT, buyer)[1]

    # Backend-specific: written and read as each backend stores them.
    @abstractmethod
    def buyer_limit(self, buyer: str, total: int, currency: str = "usd") -> None: ...

    @abstractmethod
    def credit_line(self, total: int, currency: str = "usd") -> None: ...

    @abstractmethod
    def line_outstanding(self) -> int: ...

    @abstractmethod
    def events(self) -> list[str]:
        """The types of the events committed to the outbox."""

    @abstractmethod
    def journal(self, invoice_id: str) -> list[JournalEntry]: ...


class FakeWorld(World):
    def __init__(self) -> None:
        self.books = Books()
        self.ports = fake_ports(self.books)
        self.settings_store = FakeSettings(self.books)
        self.portfolio = FakePortfolio(self.books)

    def ledger(self, actor: Actor = LENDER) -> Ledger:
        return Ledger(actor, FakeJournal(self.books), FakeExposures(self.books), self.ports.invoices)

    def buyer_limit(self, buyer: str, total: int, currency: str = "usd") -> None:
        self.books.exposures[(TENANT, buyer)] = Exposure(
            company_id=buyer,
            current_limit_id=new_id("bl"),
            limit_status=LimitStatus.APPROVED,
            total_limit=total,
            currency=currency,
            outstanding=0,
            version=2,
        )

    def credit_line(self, total: int, currency: str = "usd") -> None:
        self.books.credit_lines[TENANT] = CreditLine(
            tenant_id=TENANT, total_amount=total, currency=currency, pricing_plans=[PLAN], version=1
        )

    def line_outstanding(self) -> int:
        return self.books.credit_lines[TENANT].outstanding

    def events(self) -> list[str]:
        return [event.type for event in self.books.outbox]

    def journal(self, invoice_id: str) -> list[JournalEntry]:
        entries = [e for e in self.books.journal.values() if e.invoice_id == invoice_id]
        return sorted(entries, key=lambda e: (e.posted_at, e.id))


def major(minor: int) -> Decimal:
    """Minor units of a two-decimal currency as the decimal major units the use cases take."""
    return Decimal(minor).scaleb(-2)
