"""Documents through their handlers on moto: presigned uploads, status from S3, tenancy and idempotency."""

import base64
import json
import urllib.parse
from datetime import UTC, datetime, timedelta

import pytest

from financing.adapters.aws import client, session
from financing.config import settings
from tests.integration.harness import call

pytestmark = pytest.mark.usefixtures("aws")

ITEM = "/v1/documents/{document_id}"
BODY = {"name": "nota-fiscal-1234.pdf", "purpose": "invoice", "file_format": "pdf"}
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def create(body=None, **kwargs):
    return call("create_document", "POST", "/v1/documents", body=BODY if body is None else body, **kwargs)


def get(document_id, **kwargs):
    return call(
        "get_document",
        "GET",
        f"/v1/documents/{document_id}",
        resource=ITEM,
        path_parameters={"document_id": document_id},
        **kwargs,
    )


def items(kind):
    table = settings().table_name
    return [i for i in client("dynamodb").scan(TableName=table)["Items"] if i["kind"]["S"] == kind]


def outbox(detail_type):
    return [
        json.loads(item["detail"]["S"]) for item in items("outbox") if item["detail_type"]["S"] == detail_type
    ]


def upload(document_id, content=PDF, tenant="acme"):
    """What a client's presigned POST does, straight into the bucket (moto in-process takes no forms)."""
    client("s3").put_object(
        Bucket=settings().documents_bucket,
        Key=f"{tenant}/{document_id}",
        Body=content,
        ContentType="application/pdf",
    )


def policy_of(document):
    return json.loads(base64.b64decode(document["upload"]["fields"]["policy"]))


@pytest.fixture
def aws_calls():
    """The AWS API operations the handlers make from here on (presigning is not one: it sends nothing)."""
    seen = []

    def record(model, **_):
        seen.append(model.name)

    session().register("before-call", record, unique_id="documents-test-calls")
    client.cache_clear()  # clients are created from the session's events as they are at that moment
    yield seen
    session().unregister("before-call", unique_id="documents-test-calls")
    client.cache_clear()


def test_a_created_document_comes_with_a_presigned_post_for_its_key_type_and_size():
    reply = create(headers={"x-correlation-id": "corr-doc"})
    assert reply.status == 201, reply.json
    document = reply.json
    assert document["object"] == "document" and document["id"].startswith("doc_")
    assert {k: document[k] for k in ("name", "purpose", "file_format", "status")} == {
        **BODY,
        "status": "pending_upload",
    }
    assert document["download"] is None
    fields = document["upload"]["fields"]
    assert fields["key"] == f"acme/{document['id']}" and fields["Content-Type"] == "application/pdf"
    assert fields["x-amz-algorithm"] == "AWS4-HMAC-SHA256"  # SigV4: new buckets refuse SigV2
    policy = policy_of(document)
    conditions = policy["conditions"]
    assert ["content-length-range", 1, 10485760] in conditions
    assert {"Content-Type": "application/pdf"} in conditions
    assert {"key": f"acme/{document['id']}"} in conditions
    assert {"bucket": settings().documents_bucket} in conditions
    expiration = datetime.fromisoformat(policy["expiration"].replace("Z", "+00:00"))
    expires_at = datetime.fromisoformat(document["upload"]["expires_at"].replace("Z", "+00:00"))
    assert abs(expires_at - expiration) <= timedelta(seconds=2)
    assert timedelta(minutes=14) < expiration - datetime.now(UTC) <= timedelta(minutes=15)
    assert reply.headers["x-correlation-id"] == "corr-doc"


def test_creation_is_announced_through_the_outbox_without_the_upload_form():
    document = create(headers={"x-correlation-id": "corr-doc"}).json
    [stored] = items("document")
    assert stored["pk"]["S"] == "acme#DOCUMENT" and stored["sk"]["S"] == document["id"]
    assert stored["status"]["S"] == "pending_upload" and stored["version"]["N"] == "1"
    [event] = outbox("document.created")
    assert event["tenant_id"] == "acme" and event["correlation_id"] == "corr-doc"
    assert event["object"] == {**document, "upload": None}


@pytest.mark.parametrize(
    ("file_format", "content_type"),
    [("pdf", "application/pdf"), ("csv", "text/csv"), ("jpg", "image/jpeg"), ("png", "image/png")],
)
def test_the_format_fixes_the_content_type_of_the_upload(file_format, content_type):
    document = create({**BODY, "file_format": file_format}).json
    assert document["upload"]["fields"]["Content-Type"] == content_type
    assert {"Content-Type": content_type} in policy_of(document)["conditions"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**BODY, "purpose": "receipt"}, "purpose"),
        ({**BODY, "purpose": None}, "purpose"),
        ({**BODY, "file_format": "docx"}, "file_format"),
        ({**BODY, "file_format": "PDF"}, "file_format"),
        ({**BODY, "name": ""}, "name"),
        ({**BODY, "name": "   "}, "name"),
        ({**BODY, "name": "x" * 256}, "name"),
        ({**BODY, "name": "two\nlines.pdf"}, "name"),
        ({**BODY, "name": 7}, "name"),
        ({"purpose": "invoice", "file_format": "pdf"}, "name"),
        ({**BODY, "colour": "red"}, "colour"),
        ({**BODY, "tenant_id": "globex"}, "tenant_id"),
        ([], "body"),
    ],
)
def test_bad_bodies_are_400_with_the_field_named_and_nothing_written(body, field):
    reply = create(body)
    assert reply.status == 400, reply.json
    error = reply.json["error"]
    assert error["type"] == "invalid_request_error"
    assert field in [detail["field"] for detail in error["details"]], error
    assert client("dynamodb").scan(TableName=settings().table_name)["Count"] == 0


def test_a_document_is_pending_until_its_file_is_stored_then_uploaded_with_a_download_link():
    document = create().json
    pending = get(document["id"])
    assert pending.status == 200
    assert pending.json == {**document, "upload": None}
    upload(document["id"])
    reply = get(document["id"], headers={"x-correlation-id": "corr-seen"})
    assert reply.status == 200
    uploaded = reply.json
    assert uploaded["status"] == "uploaded" and uploaded["upload"] is None
    download = uploaded["download"]
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(download["url"]).query)
    assert query["X-Amz-Expires"] == ["300"] and query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
    assert urllib.parse.urlsplit(download["url"]).path.endswith(f"/acme/{document['id']}")
    expires_at = datetime.fromisoformat(download["expires_at"].replace("Z", "+00:00"))
    assert timedelta(minutes=4) < expires_at - datetime.now(UTC) <= timedelta(minutes=5)
    [event] = outbox("document.uploaded")
    assert event["correlation_id"] == "corr-seen"
    assert event["object"] == {**uploaded, "download": None}


def test_the_upload_is_recorded_once_with_its_version_and_later_reads_skip_s3(aws_calls):
    document = create().json
    upload(document["id"])
    aws_calls.clear()
    assert get(document["id"]).json["status"] == "uploaded"
    assert aws_calls == ["GetItem", "HeadObject", "TransactWriteItems"]
    [stored] = items("document")
    assert stored["status"]["S"] == "uploaded" and stored["version"]["N"] == "2"
    assert stored["size"]["N"] == str(len(PDF)) and stored["object_version"]["S"]
    aws_calls.clear()
    for _ in range(3):
        assert get(document["id"]).json["status"] == "uploaded"
    assert aws_calls == ["GetItem"] * 3
    assert len(outbox("document.uploaded")) == 1


def test_a_pending_read_costs_one_read_and_one_head(aws_calls):
    document = create().json
    aws_calls.clear()
    assert get(document["id"]).json["status"] == "pending_upload"
    assert aws_calls == ["GetItem", "HeadObject"]


def test_creating_costs_one_transaction_and_presigning_calls_nothing(aws_calls):
    assert create().status == 201
    assert aws_calls == ["TransactWriteItems"]


def test_the_download_link_stays_on_the_first_uploaded_version():
    from financing.adapters.documents import DocumentFiles, DocumentStore

    document = create().json
    upload(document["id"], b"%PDF-1.4 first")
    first = get(document["id"]).json
    upload(document["id"], b"%PDF-1.4 replaced later")
    again = get(document["id"]).json
    stored = DocumentStore().get("acme", document["id"])
    assert stored.size == len(b"%PDF-1.4 first")
    body = (
        client("s3")
        .get_object(
            Bucket=settings().documents_bucket, Key=stored.object_key, VersionId=stored.object_version
        )["Body"]
        .read()
    )
    assert body == b"%PDF-1.4 first"
    for reply in (first, again):
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(reply["download"]["url"]).query)
        assert query["versionId"] == [stored.object_version]
    assert DocumentFiles().download_link(stored).url.count("versionId=") == 1


def test_a_stale_reader_that_loses_the_race_answers_with_the_recorded_upload():
    from financing.adapters.documents import DocumentFiles, DocumentStore
    from financing.composition.documents import document_event
    from financing.domain.actor import Actor
    from financing.services.documents import refreshed

    document = create().json
    store, files = DocumentStore(), DocumentFiles()
    stale = store.get("acme", document["id"])
    upload(document["id"])
    assert get(document["id"]).json["status"] == "uploaded"
    actor = Actor(tenant_id="acme", subject="dev", scopes=frozenset(), correlation_id="c")
    seen = refreshed(store, files, actor, stale, announce=document_event)
    assert seen.uploaded and seen == store.get("acme", document["id"])
    assert len(outbox("document.uploaded")) == 1


def test_another_tenants_document_is_not_found_even_once_uploaded(aws_calls):
    document = create().json
    upload(document["id"])
    aws_calls.clear()
    reply = get(document["id"], tenant="globex")
    assert reply.status == 404 and reply.json["error"]["code"] == "resource_missing"
    assert aws_calls == ["GetItem"]
    # A file under another tenant's prefix with the same id does not make globex's document either.
    upload(document["id"], tenant="globex")
    assert get(document["id"], tenant="globex").status == 404
    assert get(document["id"]).json["status"] == "uploaded"


@pytest.mark.parametrize(
    "document_id", ["nope", "doc_123", "company_01J00000000000000000000000", "doc_01JD000000000000000000000!"]
)
def test_malformed_ids_are_404_without_any_aws_call(document_id, aws_calls):
    reply = get(document_id)
    assert reply.status == 404 and reply.json["error"]["code"] == "resource_missing"
    assert aws_calls == []


def test_an_unknown_well_formed_id_is_404_after_one_read(aws_calls):
    assert get("doc_01JD0000000000000000000000").status == 404
    assert aws_calls == ["GetItem"]


def test_scopes_write_to_create_and_read_to_retrieve():
    assert create(scope="invoices:read").status == 403
    document = create().json
    assert get(document["id"], scope="invoices:write").status == 403
    assert get(document["id"], scope="invoices:read").status == 200
    assert create(tenant=None).status == 401


class TestIdempotencyKey:
    def test_the_same_key_and_body_replays_the_first_document_and_form(self):
        first = create(headers={"Idempotency-Key": "doc-1"})
        again = create(headers={"Idempotency-Key": "doc-1"})
        assert first.status == again.status == 201
        assert again.json == first.json
        assert len(items("document")) == 1 and len(outbox("document.created")) == 1

    def test_the_same_key_with_another_body_is_422(self):
        create(headers={"Idempotency-Key": "doc-2"})
        reply = create({**BODY, "purpose": "transport"}, headers={"Idempotency-Key": "doc-2"})
        assert reply.status == 422 and reply.json["error"]["code"] == "idempotency_key_reused"
        assert len(items("document")) == 1

    def test_a_refused_body_is_not_remembered(self):
        assert create({**BODY, "purpose": "nope"}, headers={"Idempotency-Key": "doc-3"}).status == 400
        assert create(headers={"Idempotency-Key": "doc-3"}).status == 201
