"""The Monite-shaped family over HTTP on the local stack: a lender's credit line, invoices pushed for
financing, the list walked both ways, and the offer's event on the bus."""

import uuid
from datetime import date, timedelta
from functools import partial

import pytest

from local.token import mint
from tests.e2e.conftest import subscribe

pytestmark = pytest.mark.e2e
TENANT = f"monite-{uuid.uuid4().hex[:6]}"
AUTH = {"Authorization": f"Bearer {mint(TENANT)}", "x-monite-version": "2024-05-25"}
LINE = {
    "total_amount": 50_000_00,
    "currency": "USD",
    "pricing_plans": [
        {"advance_rate_percentage": 9000, "fee_percentage": 200, "repayment_type": "FIXED_DATE"}
    ],
}


def send(stack, method, path, body=None, status=200, auth=None):
    reply = stack.request(method, path, body, auth or AUTH)
    assert reply.status == status, (path, reply.status, reply.body)
    return reply.json()


def drafts(stack, count, tenant=TENANT, auth=None):
    """`count` drafts of one supplier to one buyer (approved limit), their documents uploaded; amounts
    1000, 1001... (major units), due in 30 days."""
    ask = partial(send, auth=auth)
    contact = [{"first_name": "Ana", "last_name": "Silva", "is_signatory": True}]
    supplier = ask(
        stack,
        "POST",
        "/v1/companies",
        {"name": "S", "address": {"country_code": "GB"}, "contacts": contact},
        201,
    )
    buyer = ask(
        stack,
        "POST",
        "/v1/companies",
        {"name": "Acme Buyer", "address": {"country_code": "GB"}, "contacts": contact},
        201,
    )
    limit = ask(
        stack,
        "POST",
        "/v1/buyer_limits",
        {"company": buyer["id"], "requested_limit": 100000, "currency": "usd"},
        201,
    )
    ask(stack, "POST", f"/v1/buyer_limits/{limit['id']}/approve", {"total_limit": 100000})
    bucket = stack.health()["resources"]["DocumentsBucket"]
    made = []
    for n in range(count):
        document = ask(
            stack, "POST", "/v1/documents", {"name": "I.pdf", "purpose": "invoice", "file_format": "pdf"}, 201
        )
        stack.client("s3").put_object(Bucket=bucket, Key=f"{tenant}/{document['id']}", Body=b"%PDF-1.4")
        made.append(
            ask(
                stack,
                "POST",
                "/v1/invoices",
                {
                    "supplier": supplier["id"],
                    "buyer": buyer["id"],
                    "invoice_number": f"M-{n}",
                    "client_reference_id": f"m-{n}",
                    "invoice_document": document["id"],
                    "amount": 1000 + n,
                    "currency": "usd",
                    "type_of_goods": ["other"],
                    "issue_date": (date.today() - timedelta(days=2)).isoformat(),
                    "due_date": (date.today() + timedelta(days=30)).isoformat(),
                },
                201,
            )
        )
    return made


def test_offers_push_and_the_list_over_http(stack):
    wait_for = subscribe(
        stack, {"detail-type": ["financing_offer.updated"], "detail": {"tenant_id": [TENANT]}}
    )
    assert send(stack, "GET", "/v1/financing_offers") == {"business_status": "NEW", "offers": []}
    send(stack, "PUT", "/v1/financing_offers", LINE)
    offer = send(stack, "GET", "/v1/financing_offers")["offers"][0]
    assert offer["available_amount"] == 50_000_00 and offer["status"] == "CURRENT"
    assert wait_for(lambda e: True)["detail"]["object"]["business_status"] == "ONBOARDED"

    invoices = drafts(stack, 5)
    pushed = send(
        stack,
        "POST",
        "/v1/financing_invoices",
        {"invoices": [{"id": i["id"], "type": "receivable"} for i in invoices[:3]]},
        201,
    )
    assert [i["status"] for i in pushed["invoices"]] == ["NEW"] * 3

    page = send(stack, "GET", "/v1/financing_invoices?limit=2&order=desc&status__in=NEW&status__in=DRAFT")
    forward = [page]
    while forward[-1]["next_pagination_token"]:
        forward.append(
            send(
                stack,
                "GET",
                f"/v1/financing_invoices?pagination_token={forward[-1]['next_pagination_token']}",
            )
        )
    ids = [i["invoice_id"] for p in forward for i in p["data"]]
    assert len(ids) == 5 and ids == sorted(ids, reverse=True)
    backward = [forward[-1]]
    while backward[-1]["prev_pagination_token"]:
        backward.append(
            send(
                stack,
                "GET",
                f"/v1/financing_invoices?pagination_token={backward[-1]['prev_pagination_token']}",
            )
        )
    assert [i["invoice_id"] for p in reversed(backward) for i in p["data"]] == ids
    new_only = send(stack, "GET", "/v1/financing_invoices?status__in=NEW")["data"]
    assert {i["invoice_id"] for i in new_only} == {i["invoice_id"] for i in pushed["invoices"]}

    refused = stack.request("GET", "/v1/financing_invoices?limit=0", headers=AUTH)
    assert refused.status == 422 and refused.json()["detail"][0]["loc"] == ["query", "limit"]
    foreign = stack.request(
        "GET", "/v1/financing_offers", headers={**AUTH, "x-monite-entity-id": "someone-else"}
    )
    assert foreign.status == 403 and "message" in foreign.json()["error"]
