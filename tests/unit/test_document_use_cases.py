"""The document use cases on in-memory fakes (tests/unit/fakes.py), beside their moto tests
(tests/integration/test_documents_api.py): a document and its upload announced as the injected renderer
shows them, the upload recorded once, and another tenant's document not found."""

import pytest

from financing.composition.documents import document_event
from financing.domain.actor import Actor
from financing.domain.documents import Document, DocumentStatus
from financing.domain.errors import NotFound
from financing.services.documents import create_document, download_link, get_document
from tests.unit.fakes import Books, FakeDocuments, FakeFiles, announcing

ACME = Actor(tenant_id="acme", subject="ops", scopes=frozenset(), correlation_id="corr-1")
GLOBEX = Actor(tenant_id="globex", subject="ops", scopes=frozenset(), correlation_id="corr-2")
DETAILS = {"name": "a.pdf", "purpose": "invoice", "file_format": "pdf"}


@announcing
def _shown(document: Document) -> dict:
    return {"shown": document.id, "status": document.status.value}


def _create(books: Books, announce=_shown) -> Document:
    document, upload = create_document(
        FakeDocuments(books), FakeFiles(books), ACME, DETAILS, announce=announce
    )
    assert upload.fields == {"key": document.object_key}
    return document


def _get(books: Books, document_id: str, actor: Actor = ACME) -> Document:
    return get_document(FakeDocuments(books), FakeFiles(books), actor, document_id, announce=_shown)


def test_a_document_is_announced_and_its_upload_announced_once_as_the_renderer_shows_them():
    books = Books()
    document = _create(books)
    assert _get(books, document.id).status is DocumentStatus.PENDING_UPLOAD
    assert download_link(FakeFiles(books), _get(books, document.id)) is None
    books.files.add(("acme", document.id))
    uploaded = _get(books, document.id)
    assert uploaded.status is DocumentStatus.UPLOADED and _get(books, document.id) == uploaded
    assert download_link(FakeFiles(books), uploaded).url == FakeFiles.URL + document.object_key
    assert [(e.type, e.tenant_id, e.object) for e in books.outbox] == [
        ("document.created", "acme", {"shown": document.id, "status": "pending_upload"}),
        ("document.uploaded", "acme", {"shown": document.id, "status": "uploaded"}),
    ]


@pytest.mark.parametrize("document_id", ["nope", "doc_01"])
def test_a_malformed_or_missing_document_is_not_found(document_id):
    with pytest.raises(NotFound):
        _get(Books(), document_id)


def test_another_tenants_document_is_not_found_even_once_uploaded():
    books = Books()
    document = _create(books)
    books.files.add(("acme", document.id))
    with pytest.raises(NotFound):
        _get(books, document.id, GLOBEX)
    assert [e.type for e in books.outbox] == ["document.created"]


def test_the_real_renderer_shows_the_core_document_object_without_links():
    books = Books()
    document = _create(books, announce=document_event)
    shown = books.outbox[0].object
    assert shown == document_event("document.created", ACME, document).object
    assert shown["id"] == document.id and shown["upload"] is None and shown["download"] is None
