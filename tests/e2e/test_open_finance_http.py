"""Open Finance Brasil over HTTP on the local stack: fund and partly repay invoices, then read the five
endpoints with a consent token; permissions, revocation and other customers' contracts; gateway errors.
Every Open Finance response is checked against the official specification."""

import uuid
from datetime import date, timedelta
from urllib.parse import urlencode, urlsplit

import pytest

from local.token import mint
from tests.open_finance_contract import conforming

pytestmark = pytest.mark.e2e
TENANT = f"ofb-{uuid.uuid4().hex[:6]}"
AUTH = {"Authorization": f"Bearer {mint(TENANT)}"}
BASE = "/open-banking/invoice-financings/v2/contracts"
CUSTOMER, OTHER, BUYER = "11222333000181", "11444777000161", "46866995790200"
EVERY = [
    "INVOICE_FINANCINGS_READ",
    "INVOICE_FINANCINGS_WARRANTIES_READ",
    "INVOICE_FINANCINGS_SCHEDULED_INSTALMENTS_READ",
    "INVOICE_FINANCINGS_PAYMENTS_READ",
]


def send(stack, method, path, body=None, **headers):
    reply = stack.request(method, path, body, {**AUTH, **headers})
    assert reply.status in (200, 201), (path, reply.status, reply.body)
    return reply.json()


def company(stack, name, tax_id):
    contact = [{"first_name": "Ana", "last_name": name, "is_signatory": True}]
    body = {"name": name, "address": {"country_code": "BR"}, "tax_id": tax_id, "contacts": contact}
    return send(stack, "POST", "/v1/companies", body)


def funded(stack, supplier, buyer, reference, amount):
    document = send(
        stack, "POST", "/v1/documents", {"name": "D.pdf", "purpose": "invoice", "file_format": "pdf"}
    )
    bucket = stack.health()["resources"]["DocumentsBucket"]
    stack.client("s3").put_object(Bucket=bucket, Key=f"{TENANT}/{document['id']}", Body=b"%PDF-1.4")
    invoice = send(
        stack,
        "POST",
        "/v1/invoices",
        {
            "supplier": supplier["id"],
            "buyer": buyer["id"],
            "invoice_number": reference,
            "client_reference_id": reference,
            "invoice_document": document["id"],
            "amount": amount,
            "currency": "brl",
            "type_of_goods": ["commodities"],
            "issue_date": (date.today() - timedelta(days=3)).isoformat(),
            "due_date": (date.today() + timedelta(days=45)).isoformat(),
        },
    )
    base = f"/v1/invoices/{invoice['id']}"
    send(stack, "POST", f"{base}/submit", {})
    send(stack, "POST", f"{base}/request_signatures", {})
    for party, who in (("supplier", supplier), ("buyer", buyer)):
        send(stack, "POST", f"{base}/sign", {"party": party, "contact": who["contacts"][0]["id"]})
    return send(stack, "POST", f"{base}/fund", {})


def consent_token(stack, customer, permissions):
    body = {
        "customer_document": customer,
        "permissions": permissions,
        "expiration_date_time": "2099-01-01T00:00:00Z",
    }
    consent = send(stack, "POST", "/v1/open_finance/consents", body)
    assert consent["status"] == "AUTHORISED"
    return consent["consent_id"], mint(TENANT, "invoice-financings", consent_id=consent["consent_id"])


def read(stack, token, path, query=None, **headers):
    """GET an Open Finance path as a receiving institution would; the answer must conform to the spec."""
    sent = {"x-fapi-interaction-id": str(uuid.uuid4()), **headers}
    if token:
        sent["Authorization"] = f"Bearer {token}"
    url = path + (f"?{urlencode(query)}" if query else "")
    reply = stack.request("GET", url, headers={k: v for k, v in sent.items() if v is not None})
    conforming("GET", path, query, reply.status, reply.headers, reply.json())
    if sent.get("x-fapi-interaction-id"):
        assert reply.headers["x-fapi-interaction-id"] == sent["x-fapi-interaction-id"]
    return reply


@pytest.fixture(scope="module")
def world(stack):
    settings = {
        "default_after_days": 90,
        "grace_days": 0,
        "late_fee_rate_percentage": 2400,
        "pricing": {"advance_rate_percentage": 9000, "fee_percentage": 250},
        "brand_name": "Banco Local",
        "institution_cnpj": "45.723.174/0001-10",
    }
    send(stack, "PUT", "/v1/settings", settings)
    customer, other, buyer = (
        company(stack, "Cliente", CUSTOMER),
        company(stack, "Outro", OTHER),
        company(stack, "Sacado", BUYER),
    )
    limit = send(
        stack,
        "POST",
        "/v1/buyer_limits",
        {"company": buyer["id"], "requested_limit": 1_000_000, "currency": "brl"},
    )
    send(stack, "POST", f"/v1/buyer_limits/{limit['id']}/approve", {"total_limit": 1_000_000})
    first = funded(stack, customer, buyer, "DUP-1", 88000)
    second = funded(stack, customer, buyer, "DUP-2", 10000)
    foreign = funded(stack, other, buyer, "DUP-3", 5000)
    today = date.today().isoformat()
    for amount, reference in ((30000, "w1"), (20000.25, "w2")):
        send(
            stack,
            "POST",
            f"/v1/invoices/{first['id']}/payments",
            {"amount": amount, "paid_date": today, "reference": reference},
        )
    return {"first": first, "second": second, "foreign": foreign}


def contract_id_of(stack, token, number):
    contracts = read(stack, token, BASE).json()["data"]
    for item in contracts:
        detail = read(stack, token, f"{BASE}/{item['contractId']}").json()["data"]
        if detail["contractNumber"] == number:
            return item["contractId"]
    raise AssertionError(f"no contract {number}")


def test_a_consenting_customer_reads_all_five_endpoints(stack, world):
    _, token = consent_token(stack, CUSTOMER, EVERY)
    listing = read(stack, token, BASE)
    assert listing.status == 200 and listing.json()["meta"]["totalRecords"] == 2
    assert {c["brandName"] for c in listing.json()["data"]} == {"Banco Local"}
    contract = contract_id_of(stack, token, "DUP-1")
    detail = read(stack, token, f"{BASE}/{contract}").json()["data"]
    # CET with the IOF withheld (79,200.00 x (0.000082 x 45 + 0.0038) = 593.21): 0.221750 without it
    assert detail["contractAmount"] == "79200.00" and detail["CET"] == "0.298573"
    warranties = read(stack, token, f"{BASE}/{contract}/warranties").json()["data"]
    assert warranties[0]["warrantyAmount"] == "88000.00"
    schedule = read(stack, token, f"{BASE}/{contract}/scheduled-instalments").json()["data"]
    assert schedule["totalNumberOfInstalments"] == 45 and schedule["dueInstalments"] == 1
    payments = read(stack, token, f"{BASE}/{contract}/payments", {"page-size": "1"}).json()
    assert payments["data"]["contractOutstandingBalance"] == "31179.75"  # 81,180 - 50,000.25
    assert len(payments["data"]["releases"]) == 1 and payments["meta"]["totalPages"] == 2
    next_page = urlsplit(payments["links"]["next"])
    assert next_page.path == f"{BASE}/{contract}/payments"
    query = dict(part.split("=", 1) for part in next_page.query.split("&"))
    second = read(stack, token, next_page.path, query).json()
    assert [r["paidAmount"] for r in second["data"]["releases"]] == ["20000.25"]


def test_another_customers_contract_is_invisible(stack, world):
    _, theirs = consent_token(stack, OTHER, EVERY)
    foreign = contract_id_of(stack, theirs, "DUP-3")
    _, token = consent_token(stack, CUSTOMER, EVERY)
    assert read(stack, token, f"{BASE}/{foreign}").status == 404
    assert read(stack, token, f"{BASE}/{foreign}/payments").status == 404
    assert foreign not in [c["contractId"] for c in read(stack, token, BASE).json()["data"]]


def test_a_consent_without_the_permission_is_403(stack, world):
    _, full = consent_token(stack, CUSTOMER, EVERY)
    contract = contract_id_of(stack, full, "DUP-1")
    _, narrow = consent_token(stack, CUSTOMER, ["INVOICE_FINANCINGS_READ"])
    assert read(stack, narrow, f"{BASE}/{contract}").status == 200
    for part in ("warranties", "scheduled-instalments", "payments"):
        reply = read(stack, narrow, f"{BASE}/{contract}/{part}")
        assert reply.status == 403 and reply.json()["errors"][0]["code"] == "FORBIDDEN"


def test_a_revoked_consent_is_refused_at_once(stack, world):
    consent_id, token = consent_token(stack, CUSTOMER, EVERY)
    assert read(stack, token, BASE).status == 200
    assert send(stack, "DELETE", f"/v1/open_finance/consents/{consent_id}")["status"] == "REVOKED"
    reply = read(stack, token, BASE)
    assert reply.status == 403 and "revoked" in reply.json()["errors"][0]["detail"]


def test_gateway_and_guard_errors_are_response_errors(stack, world):
    _, token = consent_token(stack, CUSTOMER, EVERY)
    unauthenticated = read(stack, None, BASE)
    assert unauthenticated.status == 401
    assert unauthenticated.headers["content-type"] == "application/json; charset=utf-8"
    assert read(stack, "not-a-jwt", BASE).status == 401
    no_interaction = read(stack, token, BASE, **{"x-fapi-interaction-id": None})
    assert no_interaction.status == 400 and uuid.UUID(no_interaction.headers["x-fapi-interaction-id"])
    assert read(stack, token, BASE, Accept="application/xml").status == 406
    assert read(stack, token, BASE, {"page-size": "1001"}).status == 422
    assert read(stack, mint(TENANT, "invoices:read", consent_id="x"), BASE).status == 403
    unknown = stack.request(
        "GET",
        "/open-banking/invoice-financings/v2/nothing",
        headers={"x-fapi-interaction-id": str(uuid.uuid4())},
    )
    assert unknown.status == 404 and unknown.json()["errors"][0]["code"] == "NOT_FOUND"
