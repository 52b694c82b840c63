"""Documents: files a tenant uploads (invoices, transport documents, statements) and the rules they follow.

A document is created first, as a record with an upload window; the file itself goes straight to
object storage under `<tenant>/<document id>`. It is `pending_upload` until the file is seen there,
then `uploaded`, and from then on it refers to that one stored version of the file.
"""

from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel

from financing.clock import now
from financing.domain.errors import FieldProblem, InvalidInput
from financing.ids import new_id

CREATED = "document.created"
UPLOADED = "document.uploaded"

MAX_BYTES = 10 * 1024 * 1024
MAX_NAME_LENGTH = 255
UPLOAD_WINDOW = timedelta(minutes=15)
DOWNLOAD_WINDOW = timedelta(minutes=5)


class Purpose(StrEnum):
    INVOICE = "invoice"
    TRANSPORT = "transport"
    PACKING_LIST = "packing_list"
    PURCHASE_ORDER = "purchase_order"
    SHIPPING_BILL = "shipping_bill"
    SALES_CONTRACT = "sales_contract"
    FINANCIAL_STATEMENT = "financial_statement"
    TRADE_HISTORY = "trade_history"
    OTHER = "other"


class Format(StrEnum):
    PDF = "pdf"
    CSV = "csv"
    JPG = "jpg"
    PNG = "png"


class DocumentStatus(StrEnum):
    PENDING_UPLOAD = "pending_upload"
    UPLOADED = "uploaded"


CONTENT_TYPES: dict[Format, str] = {
    Format.PDF: "application/pdf",
    Format.CSV: "text/csv",
    Format.JPG: "image/jpeg",
    Format.PNG: "image/png",
}


class Document(BaseModel):
    id: str
    tenant_id: str
    name: str
    purpose: Purpose
    file_format: Format
    status: DocumentStatus = DocumentStatus.PENDING_UPLOAD
    created: datetime
    updated: datetime
    # Known once uploaded: the stored version the document refers to, and its size in bytes.
    object_version: str | None = None
    size: int | None = None
    version: int = 1

    @property
    def object_key(self) -> str:
        """Where the file lives in the documents bucket: always under the tenant's prefix."""
        return object_key(self.tenant_id, self.id)

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.file_format]

    @property
    def uploaded(self) -> bool:
        return self.status is DocumentStatus.UPLOADED


class UploadForm(BaseModel):
    """A presigned POST: the URL, the form fields to send with the file, and when it stops working."""

    url: str
    fields: dict[str, str]
    expires_at: datetime


class DownloadLink(BaseModel):
    url: str
    expires_at: datetime


def object_key(tenant_id: str, document_id: str) -> str:
    return f"{tenant_id}/{document_id}"


def _checked_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise InvalidInput([FieldProblem("name", "must not be blank")])
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidInput([FieldProblem("name", f"must be at most {MAX_NAME_LENGTH} characters")])
    if any(not character.isprintable() for character in name):
        raise InvalidInput([FieldProblem("name", "must not contain control characters")])
    return name


def register_document(
    *, tenant_id: str, name: str, purpose: Purpose | str, file_format: Format | str
) -> Document:
    moment = now()
    return Document(
        id=new_id("doc"),
        tenant_id=tenant_id,
        name=_checked_name(name),
        purpose=Purpose(purpose),
        file_format=Format(file_format),
        created=moment,
        updated=moment,
    )


def mark_uploaded(document: Document, *, object_version: str | None, size: int | None) -> Document:
    """The document once its file is seen in storage; an uploaded document stays as it is."""
    if document.uploaded:
        return document
    return document.model_copy(
        update={
            "status": DocumentStatus.UPLOADED,
            "object_version": object_version,
            "size": size,
            "updated": now(),
            "version": document.version + 1,
        }
    )
