"""Documents: one item per document under the tenant's DOCUMENT collection, and their files in S3.

The files never pass through a function: clients upload with a presigned POST whose policy fixes the
key, the content type and the size range, and download with a short-lived presigned GET. Presigning is
local computation (no request to S3); only `stored` calls S3, with one HEAD.
"""

from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from financing.adapters.aws import client
from financing.adapters.dynamo import EntityTable, tenant_key
from financing.clock import now
from financing.config import settings
from financing.domain.documents import (
    DOWNLOAD_WINDOW,
    MAX_BYTES,
    UPLOAD_WINDOW,
    Document,
    DownloadLink,
    UploadForm,
)
from financing.domain.errors import Conflict
from financing.domain.events import DomainEvent

COLLECTION = "DOCUMENT"
_MISSING = {"404", "NoSuchKey", "NotFound"}


def _s3() -> Any:
    return client("s3")


def _to_item(document: Document) -> dict[str, Any]:
    return {
        "pk": tenant_key(document.tenant_id, COLLECTION),
        "sk": document.id,
        "kind": "document",
        **document.model_dump(mode="json", exclude={"id", "tenant_id"}),
    }


def _from_item(item: dict[str, Any]) -> Document:
    tenant_id = item["pk"].rsplit("#", 1)[0]
    return Document.model_validate({**item, "id": item["sk"], "tenant_id": tenant_id})


def document_key(tenant_id: str, document_id: str) -> dict[str, str]:
    return {"pk": tenant_key(tenant_id, COLLECTION), "sk": document_id}


parse_document = _from_item


class DocumentStore:
    def __init__(self, table: EntityTable | None = None) -> None:
        self.table = table or EntityTable()

    def add(self, document: Document, event: DomainEvent) -> None:
        self.table.insert(_to_item(document), event, Conflict(f"Document '{document.id}' already exists."))

    def get(self, tenant_id: str, document_id: str) -> Document | None:
        item = self.table.get(tenant_key(tenant_id, COLLECTION), document_id)
        return _from_item(item) if item else None

    def save(self, document: Document, event: DomainEvent) -> None:
        conflict = Conflict(
            f"Document '{document.id}' was changed by another request; read it again and retry."
        )
        self.table.replace(_to_item(document), document.version - 1, event, conflict)


@dataclass(frozen=True)
class StoredFile:
    version_id: str | None
    size: int


class DocumentFiles:
    """The documents bucket: presigned upload forms and download links, and whether a file is there."""

    def __init__(self, bucket: str | None = None) -> None:
        self.bucket = bucket or settings().documents_bucket

    def upload_form(self, document: Document) -> UploadForm:
        expires_at = now() + UPLOAD_WINDOW
        form = _s3().generate_presigned_post(
            Bucket=self.bucket,
            Key=document.object_key,
            Fields={"Content-Type": document.content_type},
            Conditions=[
                {"Content-Type": document.content_type},
                ["content-length-range", 1, MAX_BYTES],
            ],
            ExpiresIn=int(UPLOAD_WINDOW.total_seconds()),
        )
        return UploadForm(url=form["url"], fields=form["fields"], expires_at=expires_at)

    def stored(self, document: Document) -> StoredFile | None:
        """The file as stored now (one HEAD), or None while nothing has been uploaded."""
        try:
            head = _s3().head_object(Bucket=self.bucket, Key=document.object_key)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in _MISSING:
                return None
            raise
        return StoredFile(version_id=head.get("VersionId"), size=head["ContentLength"])

    def download_link(self, document: Document) -> DownloadLink:
        """A presigned GET of the version the document refers to (a later upload cannot replace it)."""
        expires_at = now() + DOWNLOAD_WINDOW
        params = {"Bucket": self.bucket, "Key": document.object_key}
        if document.object_version:
            params["VersionId"] = document.object_version
        url = _s3().generate_presigned_url(
            "get_object", Params=params, ExpiresIn=int(DOWNLOAD_WINDOW.total_seconds())
        )
        return DownloadLink(url=url, expires_at=expires_at)
