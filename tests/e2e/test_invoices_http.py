"""An invoice's whole life over HTTP against the local stack, with the events a subscriber sees on the bus."""

import json
import os
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from local.token import mint

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
TENANT = f"e2e-{uuid.uuid4().hex[:6]}"
AUTH = {"Authorization": f"Bearer {mint(TENANT)}"}


@pytest.fixture
def bus_events(stack):
    """Everything the platform announces for this test's tenant, as a subscriber's own queue receives it."""
    sqs, events = stack.client("sqs"), stack.client("events")
    bus = stack.health()["resources"]["EventBus"]
    name = f"inv-{uuid.uuid4().hex[:8]}"
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    pattern = {"source": ["invoice-financing"], "detail": {"tenant_id": [TENANT]}}
    events.put_rule(Name=name, EventBusName=bus, EventPattern=json.dumps(pattern))
    events.put_targets(Rule=name, EventBusName=bus, Targets=[{"Id": "q", "Arn": arn}])
    seen: list[dict] = []

    def wait_for(*types: str, timeout: float = 30.0) -> list[dict]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get(
                "Messages", []
            ):
                seen.append(json.loads(message["Body"]))
            if all(any(e["detail-type"] == t for e in seen) for t in types):
                return seen
        raise AssertionError(f"missing {types}; saw {[e['detail-type'] for e in seen]}")

    return wait_for


def post(stack, path, body, **headers):
    reply = stack.request("POST", path, body, {**AUTH, **headers})
    assert reply.status in (200, 201), (path, reply.status, reply.body)
    return reply.json()


def setup_parties(stack, limit: int):
    contact = [{"first_name": "Ana", "last_name": "Silva", "is_signatory": True}]
    supplier = post(
        stack, "/v1/companies", {"name": "Supplier", "address": {"country_code": "GB"}, "contacts": contact}
    )
    buyer = post(
        stack, "/v1/companies", {"name": "Buyer", "address": {"country_code": "GB"}, "contacts": contact}
    )
    limit_request = post(
        stack, "/v1/buyer_limits", {"company": buyer["id"], "requested_limit": limit, "currency": "usd"}
    )
    post(stack, f"/v1/buyer_limits/{limit_request['id']}/approve", {"total_limit": limit})
    return supplier, buyer


def uploaded_invoice_document(stack, send=None, tenant: str = TENANT) -> dict:
    """An invoice document, uploaded; `send(path, body)` posts as another tenant (default: this module's)."""
    send = send or (lambda path, body: post(stack, path, body))
    document = send("/v1/documents", {"name": "INV.pdf", "purpose": "invoice", "file_format": "pdf"})
    bucket = stack.health()["resources"]["DocumentsBucket"]
    stack.client("s3").put_object(Bucket=bucket, Key=f"{tenant}/{document['id']}", Body=b"%PDF-1.4 e2e")
    return document


def approved_invoice(
    stack, supplier, buyer, *, amount, reference, due: date, send=None, tenant: str = TENANT
) -> dict:
    """An invoice in dollars, submitted and signed by both parties: approved."""
    send = send or (lambda path, body: post(stack, path, body))
    document = uploaded_invoice_document(stack, send, tenant)
    invoice = send(
        "/v1/invoices",
        {
            "supplier": supplier["id"],
            "buyer": buyer["id"],
            "invoice_number": reference,
            "client_reference_id": reference,
            "invoice_document": document["id"],
            "amount": amount,
            "currency": "usd",
            "type_of_goods": ["commodities"],
            "issue_date": (date.today() - timedelta(days=3)).isoformat(),
            "due_date": due.isoformat(),
        },
    )
    base = f"/v1/invoices/{invoice['id']}"
    send(f"{base}/submit", {})
    send(f"{base}/request_signatures", {})
    send(f"{base}/sign", {"party": "supplier", "contact": supplier["contacts"][0]["id"]})
    signed = send(f"{base}/sign", {"party": "buyer", "contact": buyer["contacts"][0]["id"]})
    assert signed["status"] == "approved"
    return invoice


def test_an_invoice_from_draft_to_repaid_with_partial_payments(stack, bus_events):
    supplier, buyer = setup_parties(stack, limit=100000)
    invoice = approved_invoice(
        stack, supplier, buyer, amount=88000, reference="INV-1", due=date.today() + timedelta(days=30)
    )
    base = f"/v1/invoices/{invoice['id']}"
    funded = post(stack, f"{base}/fund", {})
    assert funded["financing"]["first_payment"] == 79200 and funded["financing"]["discount"] == 1980
    limits = stack.request("GET", f"/v1/buyer_limits?company={buyer['id']}", headers=AUTH).json()["data"]
    assert limits[0]["available_limit"] == 100000 - 79200
    today = date.today().isoformat()
    post(
        stack,
        f"{base}/payments",
        {"amount": 30000, "paid_date": today, "reference": "w1"},
        **{"Idempotency-Key": "p1"},
    )
    post(
        stack,
        f"{base}/payments",
        {"amount": 30000, "paid_date": today, "reference": "w1"},
        **{"Idempotency-Key": "p1"},
    )
    assert (
        stack.request(
            "POST", f"{base}/payments", {"amount": 60000, "paid_date": today, "reference": "w2"}, AUTH
        ).status
        == 422
    )
    repaid = post(stack, f"{base}/payments", {"amount": 58000, "paid_date": today, "reference": "w2"})
    assert repaid["status"] == "repaid" and repaid["financing"]["second_payment"] == 88000 - 79200 - 1980
    history = stack.request("GET", f"{base}/history", headers=AUTH).json()["data"]
    assert history[-1]["to_status"] == "repaid" and all(h["correlation_id"] for h in history)
    seen = bus_events(
        "invoice.created",
        "invoice.new",
        "invoice.requesting_signatures",
        "invoice.approved",
        "invoice.financed",
        "invoice.payment_received",
        "invoice.repaid",
        "buyer_limit.approved",
    )
    payments = [
        e
        for e in seen
        if e["detail-type"] == "invoice.payment_received" and e["detail"]["object"]["id"] == invoice["id"]
    ]
    assert len(payments) == 2  # the replayed payment counted once


def test_an_invoice_left_unpaid_goes_overdue_then_defaulted(stack, bus_events):
    supplier, buyer = setup_parties(stack, limit=100000)
    due = date.today()
    invoice = approved_invoice(stack, supplier, buyer, amount=1000, reference="INV-2", due=due)
    # Disbursed the day before it falls due (funding refuses a disbursement on the due date).
    yesterday = (due - timedelta(days=1)).isoformat()
    post(stack, f"/v1/invoices/{invoice['id']}/fund", {"disbursement_date": yesterday})
    for day in (due + timedelta(days=1), due + timedelta(days=90)):
        age_as_of(stack, day)
    current = stack.request("GET", f"/v1/invoices/{invoice['id']}", headers=AUTH).json()
    assert current["status"] == "defaulted" and current["financing"]["late_payment_fees"] > 0
    bus_events("invoice.overdue", "invoice.defaulted")


def test_concurrent_fundings_never_exceed_the_buyer_limit(stack):
    supplier, buyer = setup_parties(stack, limit=1000)
    later = date.today() + timedelta(days=30)
    invoices = [
        approved_invoice(stack, supplier, buyer, amount=1000, reference=f"R-{n}", due=later) for n in range(2)
    ]
    with ThreadPoolExecutor(2) as pool:
        replies = list(
            pool.map(lambda i: stack.request("POST", f"/v1/invoices/{i['id']}/fund", {}, AUTH), invoices)
        )
    assert sorted(r.status for r in replies) == [200, 409], [r.body for r in replies]
    limit = stack.request("GET", f"/v1/buyer_limits?company={buyer['id']}", headers=AUTH).json()["data"][0]
    assert limit["available_limit"] == 100  # 1000 - the one advance of 900


def age_as_of(stack, day: date) -> None:
    """Run the daily job for `day` on the running stack, as its schedule would (make invoke)."""
    event = ROOT / "events" / "age_receivables.json"
    payload = json.loads(event.read_text())
    payload["time"] = f"{day.isoformat()}T06:00:00Z"
    scratch = Path(os.environ.get("TMPDIR", "/tmp")) / f"age-{uuid.uuid4().hex}.json"
    scratch.write_text(json.dumps(payload))
    env = {
        **os.environ,
        "PORT": str(urlsplit(stack.api_url).port),
        "AWS_PORT": str(urlsplit(stack.aws_endpoint).port),
    }
    try:
        done = subprocess.run(
            [sys.executable, "-m", "local.invoke", "AgeReceivablesFunction", str(scratch)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        scratch.unlink()
    assert done.returncode == 0, done.stderr[-2000:]
