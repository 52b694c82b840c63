"""Contract fuzzing: schemathesis generates requests for every operation of the committed OpenAPI document
(examples, random and boundary data, and stateful sequences along links: create a company, then read and
patch it...) against the local stack, with every schemathesis check. No answer may be a 5xx or differ from
the document; every schema-valid request is accepted unless refused for a reviewed rule no schema can say
(`UNSCHEMATIZABLE` in fuzzing.py), and every schema-violating one is refused.

Inside the suite the run is bounded (about 30 s); `make fuzz` runs every phase with many more examples.
FUZZ_MAX_EXAMPLES, FUZZ_PHASES, FUZZ_MAX_TIME and FUZZ_SEED ("random" for a new one) tune it."""

import json
import os
import time
import urllib.error
import urllib.request
import uuid
from datetime import date, timedelta

import pytest

from local.token import mint
from tests.e2e.fuzzing import FUNDED, LIFECYCLE, run

pytestmark = pytest.mark.e2e
TENANT = f"fuzz-{uuid.uuid4().hex[:6]}"
TOKEN = mint(TENANT)
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def _created(stack, path, body):
    reply = stack.request("POST", path, body, AUTH)
    assert reply.status in (201, 202), (path, reply.status, reply.body)
    return reply.json()


def seed_objects(stack) -> tuple[dict[str, str], dict[str, list], dict[str, str]]:
    """One real object of each kind, so the examples phase reaches past the 404s (path parameter -> id), and
    what the stateful phase draws for the fields no link fills (SEEDED_FIELDS): a supplier, a buyer with an
    approved limit, an uploaded invoice document, both companies' signatories, amounts and dates."""
    contacts = [{"first_name": "Ana", "last_name": "Silva", "is_signatory": True}]
    supplier = _created(
        stack, "/v1/companies", {"name": "Supplier", "address": {"country_code": "GB"}, "contacts": contacts}
    )
    buyer = _created(
        stack, "/v1/companies", {"name": "Buyer", "address": {"country_code": "GB"}, "contacts": contacts}
    )
    document = _created(stack, "/v1/documents", {"name": "i.pdf", "purpose": "invoice", "file_format": "pdf"})
    bucket = stack.health()["resources"]["DocumentsBucket"]
    stack.client("s3").put_object(Bucket=bucket, Key=f"{TENANT}/{document['id']}", Body=b"%PDF-1.4 fuzz")
    limit = _created(
        stack, "/v1/buyer_limits", {"company": buyer["id"], "requested_limit": 100000, "currency": "usd"}
    )
    approved = stack.request(
        "POST", f"/v1/buyer_limits/{limit['id']}/approve", {"total_limit": 10_000_000_000}, AUTH
    )
    assert approved.status == 200, approved.body
    today = date.today()
    invoice = _created(
        stack,
        "/v1/invoices",
        {
            "supplier": supplier["id"],
            "buyer": buyer["id"],
            "invoice_number": "F-1",
            "client_reference_id": f"fuzz-{uuid.uuid4().hex}",
            "invoice_document": document["id"],
            "amount": 1000,
            "currency": "usd",
            "type_of_goods": ["other"],
            "issue_date": (today - timedelta(days=5)).isoformat(),
            "due_date": (today + timedelta(days=60)).isoformat(),
        },
    )
    examples = {
        "company_id": supplier["id"],
        "document_id": document["id"],
        "buyer_limit_id": limit["id"],
        "invoice_id": invoice["id"],
    }
    seeds = {
        "supplier": [supplier["id"]],
        "buyer": [buyer["id"]],
        "document": [document["id"]],
        "amount": [1000, 250.5],
        "currency": ["usd"],
        "advance_rate": [8000],
        "fee": [300],
        "issue_date": [(today - timedelta(days=5)).isoformat()],
        "due_date": [(today + timedelta(days=60)).isoformat()],
        "today": [today.isoformat()],
    }
    signatories = {"supplier": supplier["contacts"][0]["id"], "buyer": buyer["contacts"][0]["id"]}
    return examples, seeds, signatories


def test_every_operation_answers_as_documented_and_never_5xx(stack, tmp_path):
    seed = os.environ.get("FUZZ_SEED", "20261122")
    examples, seeds, signatories = seed_objects(stack)
    result = run(
        stack.api_url,
        TOKEN,
        tmp_path,
        examples=examples,
        seeds=seeds,
        signatories=signatories,
        max_steps=int(os.environ["FUZZ_MAX_STEPS"]) if os.environ.get("FUZZ_MAX_STEPS") else None,
        max_examples=int(os.environ.get("FUZZ_MAX_EXAMPLES", "5")),
        phases=os.environ.get("FUZZ_PHASES", "examples,fuzzing,stateful"),
        max_time=int(os.environ["FUZZ_MAX_TIME"]) if os.environ.get("FUZZ_MAX_TIME") else None,
        seed=None if seed == "random" else seed,
    )
    (tmp_path / "output.txt").write_text(result.output)
    print(f"\ncontract fuzzing: {result.summary()}\n{result.output[-2500:]}")
    assert result.returncode == 0 and result.cases > 0, result.output[-20000:]


@pytest.mark.skipif(
    not os.environ.get("FUZZ_LIFECYCLE_SCENARIOS"),
    reason="a long pass: `make fuzz` runs it (FUZZ_LIFECYCLE_SCENARIOS scenarios)",
)
def test_the_lifecycle_pass_funds_and_repays_invoices_along_the_documents_links(stack, tmp_path):
    """The stateful phase over the lifecycle's operations (LIFECYCLE) reaches, from a draft, a funded invoice
    and a repaid one, with every check passing on the way; it prints what else it reached (Monite pushes, the
    hosted pages their connect tokens opened, ledger reads of funded invoices). Its links follow values at
    random (schemathesis explores), so it takes long scenarios (FUZZ_LIFECYCLE_STEPS, 60) and many of them:
    `make fuzz` runs it."""
    seed = os.environ.get("FUZZ_SEED", "20261206")
    _, seeds, signatories = seed_objects(stack)
    result = run(
        stack.api_url,
        TOKEN,
        tmp_path,
        seeds=seeds,
        signatories=signatories,
        operations=LIFECYCLE,
        max_steps=int(os.environ.get("FUZZ_LIFECYCLE_STEPS", "60")),
        max_examples=int(os.environ["FUZZ_LIFECYCLE_SCENARIOS"]),
        phases="stateful",
        seed=None if seed == "random" else seed,
    )
    print(f"\nlifecycle pass: {result.summary()}\n{result.output[-1500:]}")
    assert result.returncode == 0 and result.cases > 0, result.output[-20000:]
    reached = result.reached["stateful"]
    assert sum(reached[status] for status in FUNDED) > 0 and reached["repaid"] > 0, result.summary()


# Regressions the fuzzer found over HTTP.


@pytest.mark.parametrize("method", ["TRACE", "PROPFIND"])
def test_a_method_no_route_declares_gets_the_gateways_404_not_a_501(stack, method):
    reply = stack.request(method, "/v1/companies", headers=AUTH)
    assert reply.status == 404 and reply.json()["error"]["code"] == "route_missing"


def test_a_body_that_is_not_utf8_is_a_400_over_http(stack):
    request = urllib.request.Request(
        stack.api_url + "/v1/companies",
        data=b"\xff\xfe",
        method="POST",
        headers={**AUTH, "Content-Type": "application/json"},
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)
    body = json.loads(refused.value.read())
    assert refused.value.code == 400 and body["error"]["code"] == "invalid_json"
    assert refused.value.headers["x-correlation-id"] == body["error"]["correlation_id"]


def test_a_due_range_from_year_1_to_year_9999_is_a_quick_422_over_http(stack):
    """It opened one DynamoDB Query per month of the span until the function's 10 s ran out (502)."""
    path = "/v1/financing_invoices?due_date__gte=0001-01-01&due_date__lte=9999-12-31"
    stack.request("GET", "/v1/financing_invoices", headers=AUTH)  # the function's container is warm
    started = time.monotonic()
    reply = stack.request("GET", path, headers=AUTH)
    assert time.monotonic() - started < 2
    assert reply.status == 422, reply.body
    assert [d["loc"] for d in reply.json()["detail"]] == [
        ["query", "due_date__gte"],
        ["query", "due_date__lte"],
    ]
