"""The invoice use cases show what they announce and keep only through the injected shapes
(services.ports.InvoiceShapes): on the in-memory fakes with recording shapes, beside the use-case tests that
run with the core family's (tests/unit/test_invoice_use_cases.py) and their moto twins."""

from dataclasses import replace
from datetime import timedelta

from financing import clock
from financing.composition.invoices import invoice_shapes
from financing.domain.documents import Document, register_document
from financing.domain.invoices import Invoice, TypeOfGoods
from financing.services.invoices import age_receivables
from financing.services.ports import InvoiceShapes
from tests.unit.fakes import announcing
from tests.unit.test_invoice_use_cases import TERMS, approved, fund
from tests.unit.worlds import LENDER, TENANT, FakeWorld


@announcing
def _invoice_shown(invoice: Invoice) -> dict:
    return {"invoice": invoice.id, "status": invoice.status.value}


@announcing
def _document_shown(document: Document) -> dict:
    return {"document": document.id, "status": document.status.value}


RECORDING = InvoiceShapes(
    event=_invoice_shown,
    document_event=_document_shown,
    document_snapshot=lambda document: {"kept": document.id},
    render=lambda invoice: {"rendered": invoice.id},
)


def _world() -> FakeWorld:
    world = FakeWorld()
    world.ports = replace(world.ports, shapes=RECORDING)
    return world


def _draft(world: FakeWorld, document: Document) -> Invoice:
    supplier, buyer = world.company("Supplier"), world.company("Buyer")
    world.buyer_limit(buyer.id, 1_000_000)
    today = clock.today()
    return world.invoices().create(
        {
            "supplier": supplier.id,
            "buyer": buyer.id,
            "invoice_number": "INV-1",
            "client_reference_id": "r-1",
            "invoice_document": document.id,
            "amount": 100_000,
            "currency": "usd",
            "type_of_goods": [TypeOfGoods.OTHER],
            "issue_date": today - timedelta(days=10),
            "due_date": today + timedelta(days=30),
        }
    )


def test_drafts_are_announced_kept_and_rendered_as_the_injected_shapes_show_them():
    world = _world()
    invoice = _draft(world, world.document())
    assert invoice.document == {"kept": invoice.invoice_document}
    assert world.invoices().render(invoice) == {"rendered": invoice.id}
    [event] = [e for e in world.books.outbox if e.type == "invoice.created"]
    assert (event.tenant_id, event.correlation_id, event.object) == (
        TENANT,
        LENDER.correlation_id,
        {"invoice": invoice.id, "status": "draft"},
    )


def test_a_submission_that_first_finds_the_documents_file_announces_the_upload_with_the_injected_shape():
    world = _world()
    document = register_document(tenant_id=TENANT, name="INV-1.pdf", purpose="invoice", file_format="pdf")
    world.ports.documents.add(document, _document_shown("document.created", LENDER, document))
    invoice = _draft(world, document)
    world.books.files.add((TENANT, document.id))
    submitted = world.invoices().submit(invoice.id)
    assert submitted.document == {"kept": document.id}
    shown = {e.type: e.object for e in world.books.outbox}
    assert shown["document.uploaded"] == {"document": document.id, "status": "uploaded"}
    assert shown["invoice.new"] == {"invoice": invoice.id, "status": "new"}


def test_the_ageing_job_announces_with_the_announcer_it_is_given():
    world = _world()
    world.settings(**TERMS)
    invoice = fund(world, approved(world))
    day = invoice.due_date + timedelta(days=6)
    assert (
        age_receivables(day, world.ports.invoices, world.settings_store, announce=_invoice_shown)["overdue"]
        == 1
    )
    assert world.books.outbox[-1].object == {"invoice": invoice.id, "status": "overdue"}


def test_the_real_shapes_are_the_core_familys():
    world = FakeWorld()
    invoice = _draft(world, world.document())
    assert world.ports.shapes is invoice_shapes
    assert world.invoices().render(invoice)["id"] == invoice.id
    assert invoice.document is not None and invoice.document["id"] == invoice.invoice_document
