"""Document use cases: open an upload for a new document, and read a document with its current status."""

from typing import Any

from financing.dialects.core.documents import document_object
from financing.dialects.events import announce
from financing.domain import documents as rules
from financing.domain.actor import Actor
from financing.domain.documents import Document, DownloadLink, UploadForm
from financing.domain.errors import Conflict, NotFound
from financing.domain.events import DomainEvent
from financing.ids import is_id
from financing.services.ports import Documents, Files


def create_document(
    store: Documents, files: Files, actor: Actor, details: dict[str, Any]
) -> tuple[Document, UploadForm]:
    """Record the document (announcing it) and presign the one form its file may be uploaded with."""
    document = rules.register_document(tenant_id=actor.tenant_id, **details)
    store.add(document, _event(rules.CREATED, actor, document))
    return document, files.upload_form(document)


def get_document(store: Documents, files: Files, actor: Actor, document_id: str) -> Document:
    """The tenant's document with its current status: a pending one is checked against storage once,
    and the first time its file is seen it becomes `uploaded` for good (announced once)."""
    # A malformed id cannot exist: answer 404 without reading the table.
    document = store.get(actor.tenant_id, document_id) if is_id("doc", document_id) else None
    if document is None:
        raise NotFound("document", document_id)
    return refreshed(store, files, actor, document)


def refreshed(store: Documents, files: Files, actor: Actor, document: Document) -> Document:
    if document.uploaded or (stored := files.stored(document)) is None:
        return document
    uploaded = rules.mark_uploaded(document, object_version=stored.version_id, size=stored.size)
    try:
        store.save(uploaded, _event(rules.UPLOADED, actor, uploaded))
    except Conflict:
        # Another request recorded the upload first (the only change a document undergoes): use theirs.
        current = store.get(document.tenant_id, document.id)
        if current is None or not current.uploaded:
            raise
        return current
    return uploaded


def download_link(files: Files, document: Document) -> DownloadLink | None:
    return files.download_link(document) if document.uploaded else None


def _event(type_: str, actor: Actor, document: Document) -> DomainEvent:
    # Events carry the document without links: presigned URLs are bearer credentials.
    return announce(
        type_,
        tenant_id=actor.tenant_id,
        correlation_id=actor.correlation_id,
        obj=document_object(document),
    )
