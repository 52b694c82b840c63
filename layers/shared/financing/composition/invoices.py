"""The invoice use cases wired to the real adapters."""

from datetime import date

from financing.adapters.companies import CompanyStore
from financing.adapters.documents import DocumentFiles, DocumentStore
from financing.adapters.dynamo import EntityTable
from financing.adapters.invoice_list import InvoiceList
from financing.adapters.invoice_reads import InvoiceReads
from financing.adapters.invoices import InvoiceStore
from financing.adapters.settings import SettingsStore
from financing.domain.actor import Actor
from financing.services import invoices as invoice_service
from financing.services.ports import InvoicePorts


def invoice_ports() -> InvoicePorts:
    table = EntityTable()
    return InvoicePorts(
        invoices=InvoiceStore(table),
        reads=InvoiceReads(table),
        companies=CompanyStore(table),
        documents=DocumentStore(table),
        files=DocumentFiles(),
        financing_list=InvoiceList(table),
    )


def invoice_use_cases(actor: Actor) -> invoice_service.Invoices:
    """The invoice use cases for one caller (constructed per request: stores hold no connection)."""
    return invoice_service.Invoices(actor, invoice_ports())


def age_receivables(today: date) -> dict[str, int]:
    table = EntityTable()
    return invoice_service.age_receivables(today, InvoiceStore(table), SettingsStore(table))
