"""Document use cases: open an upload for a new document, and read a document with its current status."""

from typing import Any

from financing.domain import documents as rules
from financing.domain.actor import Actor
from financing.domain.documents import Document, DownloadLink, UploadForm
from financing.domain.errors import Conflict, NotFound
from financing.ids import is_id
from financing.services.ports import Announces, Documents, Files


def create_document(
    store: Documents, files: Files, actor: Actor, details: dict[str, Any], *, announce: Announces[Document]
) -> tuple[Document, UploadForm]:
    """Record the document (announcing it) and presign the one form its file may be uploaded with."""
    document = rules.register_document(tenant_id=actor.tenant_id, **details)
    store.add(document, announce(rules.CREATED, actor, document))
    return document, files.upload_form(document)


def get_document(
    store: Documents, files: Files, actor: Actor, document_id: str, *, announce: Announces[Document]
) -> Document:
    """The tenant's document with its current status: a pending one is checked against storage once,
    and the first time its file is seen it becomes `uploaded` for good (announced once)."""
    # A malformed id cannot exist: answer 404 without reading the table.
    document = store.get(actor.tenant_id, document_id) if is_id("doc", document_id) else None
    if document is None:
        raise NotFound("document", document_id)
    return refreshed(store, files, actor, document, announce=announce)


def refreshed(
    store: Documents, files: Files, actor: Actor, document: Document, *, announce: Announces[Document]
) -> Document:
    if document.uploaded or (stored := files.stored(document)) is None:
        return document
    uploaded = rules.mark_uploaded(document, object_version=stored.version_id, size=stored.size)
    try:
        store.save(uploaded, announce(rules.UPLOADED, actor, uploaded))
    except Conflict:
        # Another request recorded the upload first (the only change a document undergoes): use theirs.
        current = store.get(document.tenant_id, document.id)
        if current is None or not current.uploaded:
            raise
        return current
    return uploaded


def download_link(files: Files, document: Document) -> DownloadLink | None:
    return files.download_link(document) if document.uploaded else None
