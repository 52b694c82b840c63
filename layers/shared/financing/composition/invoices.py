"""The invoice use cases wired to the real adapters."""

from datetime import date

from financing.adapters.companies import CompanyStore
from financing.adapters.documents import DocumentFiles, DocumentStore
from financing.adapters.dynamo import EntityTable
from financing.adapters.invoice_list import InvoiceList
from financing.adapters.invoice_reads import InvoiceReads
from financing.adapters.invoices import InvoiceStore
from financing.adapters.settings import SettingsStore
from financing.composition.documents import document_event
from financing.composition.events import announcing
from financing.domain.actor import Actor
from financing.domain.documents import Document
from financing.domain.invoices import Invoice
from financing.families.core.documents import document_object
from financing.families.core.invoices import invoice_json, invoice_object
from financing.services import invoices as invoice_service
from financing.services.ports import Announces, InvoicePorts, InvoiceShapes

# Its events carry the core family's invoice object (its document not expanded).
invoice_event: Announces[Invoice] = announcing(invoice_object)


def document_snapshot(document: Document) -> dict:
    """What an invoice keeps of the document it names: the core document object, without links."""
    return document_object(document).model_dump(mode="json")


def render(invoice: Invoice) -> dict:
    """The core invoice object, its document expanded from the snapshot the invoice keeps."""
    return invoice_json(invoice, invoice.document)


invoice_shapes = InvoiceShapes(
    event=invoice_event, document_event=document_event, document_snapshot=document_snapshot, render=render
)


def invoice_ports() -> InvoicePorts:
    table = EntityTable()
    return InvoicePorts(
        invoices=InvoiceStore(table),
        reads=InvoiceReads(table),
        companies=CompanyStore(table),
        documents=DocumentStore(table),
        files=DocumentFiles(),
        financing_list=InvoiceList(table),
        shapes=invoice_shapes,
    )


def invoice_use_cases(actor: Actor) -> invoice_service.Invoices:
    """The invoice use cases for one caller (constructed per request: stores hold no connection)."""
    return invoice_service.Invoices(actor, invoice_ports())


def age_receivables(today: date) -> dict[str, int]:
    table = EntityTable()
    return invoice_service.age_receivables(
        today, InvoiceStore(table), SettingsStore(table), announce=invoice_event
    )
