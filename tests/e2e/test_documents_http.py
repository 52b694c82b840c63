"""Documents over HTTP against the local stack: a real presigned-POST upload, then status and download."""

import base64
import json
import urllib.error
import urllib.request
import uuid

import pytest

from local.token import mint
from tests.e2e.conftest import subscribe

pytestmark = pytest.mark.e2e

ACME = {"Authorization": f"Bearer {mint('acme')}"}
GLOBEX = {"Authorization": f"Bearer {mint('globex')}"}
BODY = {"name": "nota-fiscal-1234.pdf", "purpose": "invoice", "file_format": "pdf"}
PDF = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
)


def multipart(fields: dict[str, str], content: bytes, content_type: str) -> tuple[bytes, str]:
    """A multipart/form-data body as browsers send it: every form field, then the file last."""
    boundary = f"----upload-{uuid.uuid4().hex}"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="upload"\r\n'
        f"Content-Type: {content_type}\r\n\r\n".encode()
        + content
        + b"\r\n"
    )
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def post_form(upload: dict, content: bytes, content_type: str) -> int:
    body, media = multipart(upload["fields"], content, content_type)
    request = urllib.request.Request(upload["url"], data=body, method="POST", headers={"Content-Type": media})
    try:
        with urllib.request.urlopen(request, timeout=30) as reply:
            return reply.status
    except urllib.error.HTTPError as error:
        return error.code


def fetch(url: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as reply:
            return reply.status, {k.lower(): v for k, v in reply.headers.items()}, reply.read()
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()


@pytest.fixture
def watcher(stack):
    """The user's own SQS queue, subscribed to the platform's events on the stack's bus."""
    return subscribe(stack, {"source": ["invoice-financing"], "detail-type": [{"prefix": "document."}]})


def test_a_file_uploaded_with_the_presigned_post_makes_the_document_uploaded_and_downloadable(stack, watcher):
    created = stack.request("POST", "/v1/documents", BODY, {**ACME, "x-correlation-id": "e2e-doc-1"})
    assert created.status == 201, created.body
    document = created.json()
    upload = document["upload"]
    # The form points at the stack's embedded AWS, because boto3 honours AWS_ENDPOINT_URL.
    assert upload["url"].startswith(stack.aws_endpoint), upload["url"]
    path = f"/v1/documents/{document['id']}"
    assert stack.request("GET", path, headers=ACME).json()["status"] == "pending_upload"

    assert post_form(upload, PDF, "application/pdf") in (200, 201, 204)

    seen = stack.request("GET", path, headers={**ACME, "x-correlation-id": "e2e-doc-2"})
    assert seen.status == 200, seen.body
    uploaded = seen.json()
    assert uploaded["status"] == "uploaded" and uploaded["upload"] is None
    status, headers, content = fetch(uploaded["download"]["url"])
    assert status == 200 and content == PDF
    assert headers["content-type"] == "application/pdf"
    assert stack.request("GET", path, headers=GLOBEX).status == 404

    created_event = watcher(
        lambda e: e["detail-type"] == "document.created" and e["detail"]["object"]["id"] == document["id"]
    )
    assert created_event["detail"]["correlation_id"] == "e2e-doc-1"
    assert created_event["detail"]["object"] == {**document, "upload": None}
    uploaded_event = watcher(
        lambda e: e["detail-type"] == "document.uploaded" and e["detail"]["object"]["id"] == document["id"]
    )
    assert uploaded_event["detail"]["correlation_id"] == "e2e-doc-2"
    assert uploaded_event["detail"]["object"] == {**uploaded, "download": None}


def test_the_upload_policy_limits_size_and_content_type(stack):
    # moto accepts any presigned POST without checking its policy or signature, so locally the limits
    # are only visible in the policy; S3 enforces them (EntityTooLarge / AccessDenied) when deployed.
    document = stack.request("POST", "/v1/documents", {**BODY, "file_format": "png"}, ACME).json()
    policy = json.loads(base64.b64decode(document["upload"]["fields"]["policy"]))
    assert ["content-length-range", 1, 10 * 1024 * 1024] in policy["conditions"]
    assert {"Content-Type": "image/png"} in policy["conditions"]
    assert {"key": f"acme/{document['id']}"} in policy["conditions"]
    assert document["upload"]["fields"]["Content-Type"] == "image/png"


def test_bad_documents_and_ids_are_4xx_in_the_core_envelope(stack):
    reply = stack.request("POST", "/v1/documents", {**BODY, "purpose": "receipt"}, ACME)
    assert reply.status == 400
    assert [detail["field"] for detail in reply.json()["error"]["details"]] == ["purpose"]
    assert stack.request("GET", "/v1/documents/not-an-id", headers=ACME).status == 404
    read_only = {"Authorization": f"Bearer {mint('acme', 'invoices:read')}"}
    assert stack.request("POST", "/v1/documents", BODY, read_only).status == 403


def test_an_idempotency_key_replays_the_same_upload_form(stack):
    headers = {**ACME, "Idempotency-Key": f"e2e-doc-{uuid.uuid4()}"}
    first = stack.request("POST", "/v1/documents", BODY, headers)
    again = stack.request("POST", "/v1/documents", BODY, headers)
    assert first.status == again.status == 201 and first.json() == again.json()
