"""Documents in the core shape: the request body it accepts and the object it returns."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from financing.clock import iso
from financing.domain.documents import (
    MAX_NAME_LENGTH,
    Document,
    DocumentStatus,
    DownloadLink,
    Format,
    Purpose,
    UploadForm,
)
from financing.families.json_input import json_text

# No control characters (C0, DEL, C1) and a character that is not a space; which other code points are
# printable (assigned, not a format character) is Unicode's to say, not a schema's.
Name = json_text(
    MAX_NAME_LENGTH, pattern=r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$"
)


class DocumentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name = Field(description="A name for people, such as the file's name; 1 to 255 characters")
    purpose: Purpose
    file_format: Format = Field(description="Fixes the Content-Type the upload must declare")


class UploadOut(BaseModel):
    url: str = Field(description="POST the file here as multipart/form-data")
    fields: dict[str, str] = Field(description="Send every field, in any order, before the `file` part")
    expires_at: str


class DownloadOut(BaseModel):
    url: str
    expires_at: str


class DocumentObject(BaseModel):
    id: str
    object: Literal["document"] = "document"
    name: str
    purpose: Purpose
    file_format: Format
    status: DocumentStatus
    created: str
    upload: UploadOut | None = Field(
        default=None, description="Only in the creation response: where and how to upload the file"
    )
    download: DownloadOut | None = Field(
        default=None,
        description="Once uploaded, when retrieving the document: a short-lived link to the file",
    )


def document_object(
    document: Document, *, upload: UploadForm | None = None, download: DownloadLink | None = None
) -> DocumentObject:
    """The core object; without links, as events carry it and as other objects embed it."""
    return DocumentObject(
        id=document.id,
        name=document.name,
        purpose=document.purpose,
        file_format=document.file_format,
        status=document.status,
        created=iso(document.created),
        upload=UploadOut(url=upload.url, fields=upload.fields, expires_at=iso(upload.expires_at))
        if upload
        else None,
        download=DownloadOut(url=download.url, expires_at=iso(download.expires_at)) if download else None,
    )


def creation_details(body: DocumentCreate) -> dict:
    return body.model_dump()
