"""Documents: what a new document is, what uploading changes, and the status seen through the use cases."""

from datetime import UTC, datetime

import pytest

from financing.clock import reset_clock, set_clock
from financing.composition.documents import document_event
from financing.domain.actor import Actor
from financing.domain.documents import (
    CONTENT_TYPES,
    MAX_BYTES,
    DocumentStatus,
    Format,
    Purpose,
    mark_uploaded,
    register_document,
)
from financing.domain.errors import Conflict, InvalidInput, NotFound
from financing.families.core.documents import DocumentCreate, document_object
from financing.ids import is_id
from financing.services import documents as service

ACTOR = Actor(tenant_id="acme", subject="dev", scopes=frozenset(), correlation_id="corr-1")


@pytest.fixture
def frozen_clock():
    set_clock(lambda: datetime(2026, 1, 2, 3, 4, 5, 678_900, tzinfo=UTC))
    yield
    reset_clock()


def _document(**overrides):
    details = {"tenant_id": "acme", "name": "nf-1234.pdf", "purpose": "invoice", "file_format": "pdf"}
    return register_document(**{**details, **overrides})


def test_a_new_document_awaits_its_upload_under_the_tenants_prefix(frozen_clock):
    document = _document()
    assert is_id("doc", document.id)
    assert document.status is DocumentStatus.PENDING_UPLOAD and not document.uploaded
    assert document.purpose is Purpose.INVOICE and document.file_format is Format.PDF
    assert document.object_key == f"acme/{document.id}"
    assert document.created == document.updated == datetime(2026, 1, 2, 3, 4, 5, 678_000, tzinfo=UTC)
    assert document.version == 1 and document.object_version is None and document.size is None


def test_every_format_has_one_content_type_and_the_limit_is_10_mib():
    assert {f.value: CONTENT_TYPES[f] for f in Format} == {
        "pdf": "application/pdf",
        "csv": "text/csv",
        "jpg": "image/jpeg",
        "png": "image/png",
    }
    assert MAX_BYTES == 10_485_760
    assert _document(file_format="png").content_type == "image/png"


def test_the_purposes_are_the_documented_ones():
    assert [p.value for p in Purpose] == [
        "invoice",
        "transport",
        "packing_list",
        "purchase_order",
        "shipping_bill",
        "sales_contract",
        "financial_statement",
        "trade_history",
        "other",
    ]


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("", "blank"),
        ("   ", "blank"),
        ("x" * 256, "at most 255"),
        ("a\nb.pdf", "control"),
        ("a\x00", "control"),
    ],
)
def test_a_name_must_be_1_to_255_printable_characters(name, problem):
    with pytest.raises(InvalidInput) as raised:
        _document(name=name)
    [found] = raised.value.problems
    assert found.field == "name" and problem in found.message


def test_a_name_is_trimmed_and_may_be_any_printable_text():
    assert _document(name="  Nota fiscal nº 12 (março).pdf ").name == "Nota fiscal nº 12 (março).pdf"
    assert len(_document(name="x" * 255).name) == 255


@pytest.mark.parametrize(("field", "value"), [("purpose", "receipt"), ("file_format", "docx")])
def test_unknown_purposes_and_formats_are_refused(field, value):
    with pytest.raises(ValueError):
        _document(**{field: value})


def test_uploading_records_the_stored_version_once():
    document = _document()
    uploaded = mark_uploaded(document, object_version="v1", size=1234)
    assert uploaded.status is DocumentStatus.UPLOADED and uploaded.uploaded
    assert (uploaded.object_version, uploaded.size, uploaded.version) == ("v1", 1234, 2)
    assert uploaded.updated >= document.updated
    # Seeing another upload later changes nothing: the document keeps referring to the first file.
    assert mark_uploaded(uploaded, object_version="v2", size=1) == uploaded


def test_the_request_body_forbids_unknown_fields_and_checks_each_one():
    from pydantic import ValidationError

    good = {"name": "a.pdf", "purpose": "invoice", "file_format": "pdf"}
    assert DocumentCreate.model_validate(good).purpose is Purpose.INVOICE
    for bad in (
        {**good, "colour": "red"},
        {**good, "purpose": "INVOICE"},
        {**good, "file_format": "jpeg"},
        {**good, "name": ""},
        {**good, "name": "x" * 256},
        {"purpose": "invoice", "file_format": "pdf"},
    ):
        with pytest.raises(ValidationError):
            DocumentCreate.model_validate(bad)


def test_the_core_object_carries_links_only_when_given(frozen_clock):
    document = _document()
    plain = document_object(document).model_dump(mode="json")
    assert plain == {
        "id": document.id,
        "object": "document",
        "name": "nf-1234.pdf",
        "purpose": "invoice",
        "file_format": "pdf",
        "status": "pending_upload",
        "created": "2026-01-02T03:04:05Z",
        "upload": None,
        "download": None,
    }


# ------------------------------------------------------------------------ use cases, on fakes


class FakeStore:
    def __init__(self):
        self.items, self.events = {}, []
        self.reads = 0
        self.racing = None  # a document another request saves first

    def add(self, document, event):
        self.items[(document.tenant_id, document.id)] = document
        self.events.append(event)

    def get(self, tenant_id, document_id):
        self.reads += 1
        return self.items.get((tenant_id, document_id))

    def save(self, document, event):
        key = (document.tenant_id, document.id)
        if self.racing is not None:
            self.items[key], self.racing = self.racing, None
        if self.items[key].version != document.version - 1:
            raise Conflict("lost")
        self.items[key] = document
        self.events.append(event)


class FakeFiles:
    def __init__(self):
        self.stored_file = None
        self.heads = 0

    def upload_form(self, document):
        from financing.domain.documents import UploadForm

        return UploadForm(
            url="https://upload", fields={"key": document.object_key}, expires_at=document.created
        )

    def stored(self, document):
        self.heads += 1
        return self.stored_file

    def download_link(self, document):
        from financing.domain.documents import DownloadLink

        return DownloadLink(url=f"https://download/{document.object_version}", expires_at=document.created)


class Stored:
    def __init__(self, version_id, size):
        self.version_id, self.size = version_id, size


def test_creating_announces_the_document_without_links():
    store, files = FakeStore(), FakeFiles()
    document, upload = service.create_document(
        store,
        files,
        ACTOR,
        {"name": "a.pdf", "purpose": "invoice", "file_format": "pdf"},
        announce=document_event,
    )
    assert upload.fields == {"key": f"acme/{document.id}"}
    [event] = store.events
    assert event.type == "document.created" and event.correlation_id == "corr-1"
    assert event.object["upload"] is None and event.object["id"] == document.id


def test_a_pending_document_becomes_uploaded_once_and_is_then_read_without_storage():
    store, files = FakeStore(), FakeFiles()
    document, _ = service.create_document(
        store,
        files,
        ACTOR,
        {"name": "a.pdf", "purpose": "invoice", "file_format": "pdf"},
        announce=document_event,
    )
    assert (
        service.get_document(store, files, ACTOR, document.id, announce=document_event).status
        is DocumentStatus.PENDING_UPLOAD
    )
    files.stored_file = Stored("v1", 10)
    seen = service.get_document(store, files, ACTOR, document.id, announce=document_event)
    assert seen.status is DocumentStatus.UPLOADED and seen.object_version == "v1"
    assert service.download_link(files, seen).url == "https://download/v1"
    assert files.heads == 2
    assert service.get_document(store, files, ACTOR, document.id, announce=document_event) == seen
    assert files.heads == 2
    assert [event.type for event in store.events] == ["document.created", "document.uploaded"]


def test_a_lost_race_to_record_the_upload_answers_with_the_winners_record():
    store, files = FakeStore(), FakeFiles()
    document, _ = service.create_document(
        store,
        files,
        ACTOR,
        {"name": "a.pdf", "purpose": "invoice", "file_format": "pdf"},
        announce=document_event,
    )
    store.racing = mark_uploaded(document, object_version="first", size=10)
    files.stored_file = Stored("second", 20)
    seen = service.get_document(store, files, ACTOR, document.id, announce=document_event)
    assert seen.object_version == "first"
    assert [event.type for event in store.events] == ["document.created"]


@pytest.mark.parametrize("document_id", ["nope", "doc_123", "company_01J00000000000000000000000", ""])
def test_a_malformed_id_is_not_found_without_reading_anything(document_id):
    store, files = FakeStore(), FakeFiles()
    with pytest.raises(NotFound):
        service.get_document(store, files, ACTOR, document_id, announce=document_event)
    assert store.reads == 0 and files.heads == 0


def test_a_pending_document_has_no_download_link():
    assert service.download_link(FakeFiles(), _document()) is None
