"""Given-steps for invoice tests: companies with signatories, an uploaded invoice document, an approved buyer limit."""

from datetime import timedelta

from financing import clock, exact_json
from financing.adapters.aws import client
from financing.adapters.dynamo import to_item
from financing.adapters.invoices import exposure_key
from financing.config import settings
from tests.integration.harness import call

INVOICE = "/v1/invoices/{invoice_id}"
LENDER = "invoices:read invoices:write lender:operate"


def company(name: str, tenant: str = "acme") -> dict:
    body = {
        "name": name,
        "address": {"country_code": "GB"},
        "contacts": [{"first_name": "Sam", "last_name": name, "is_signatory": True}],
    }
    return call("create_company", "POST", "/v1/companies", body=body, tenant=tenant).json


def uploaded_document(tenant: str = "acme", purpose: str = "invoice") -> dict:
    document = call(
        "create_document",
        "POST",
        "/v1/documents",
        body={"name": "INV-1.pdf", "purpose": purpose, "file_format": "pdf"},
        tenant=tenant,
    ).json
    client("s3").put_object(
        Bucket=settings().documents_bucket, Key=f"{tenant}/{document['id']}", Body=b"%PDF-1.4"
    )
    return document


def approve_limit(buyer_id: str, total_minor: int, tenant: str = "acme", currency: str = "usd") -> None:
    """The buyer's limit, approved: written through the exposure contract that buyer limits maintain."""
    item = {
        **exposure_key(tenant, buyer_id),
        "kind": "exposure",
        "current_limit_id": "bl_test",
        "limit_status": "approved",
        "total_limit": total_minor,
        "currency": currency,
        "outstanding": 0,
        "version": 1,
    }
    client("dynamodb").put_item(TableName=settings().table_name, Item=to_item(item))


def draft_body(supplier_: dict, buyer_: dict, document_: dict, **overrides) -> dict:
    today = clock.today()
    body = {
        "supplier": supplier_["id"],
        "buyer": buyer_["id"],
        "invoice_number": "INV-18293",
        "client_reference_id": "550e8400-e29b-41d4-a716-446655440000",
        "invoice_document": document_["id"],
        "amount": 88000,
        "currency": "usd",
        "type_of_goods": ["perishables", "other"],
        "issue_date": (today - timedelta(days=10)).isoformat(),
        "due_date": (today + timedelta(days=60)).isoformat(),
    }
    return {**body, **overrides}


def act(function_dir: str, action: str, invoice_id: str, body: dict | None = None, **kwargs):
    return call(
        function_dir,
        "POST",
        f"/v1/invoices/{invoice_id}/{action}",
        resource=INVOICE + f"/{action}",
        path_parameters={"invoice_id": invoice_id},
        body=body if body is not None else {},
        scope=kwargs.pop("scope", LENDER),
        **kwargs,
    )


def get(invoice_id: str, **kwargs):
    return call(
        "get_invoice",
        "GET",
        f"/v1/invoices/{invoice_id}",
        resource=INVOICE,
        path_parameters={"invoice_id": invoice_id},
        **kwargs,
    )


def signed_invoice(supplier_: dict, buyer_: dict, document_: dict, **overrides) -> dict:
    """A drafted invoice taken through submission and both signatures: approved, ready to fund."""
    # exact_json writes a Decimal amount digit for digit (json.dumps would need a float).
    body = exact_json.dumps(draft_body(supplier_, buyer_, document_, **overrides))
    invoice = call("create_invoice", "POST", "/v1/invoices", raw_body=body).json
    act("submit_invoice", "submit", invoice["id"])
    act("request_invoice_signatures", "request_signatures", invoice["id"])
    for party, who in (("supplier", supplier_), ("buyer", buyer_)):
        act("sign_invoice", "sign", invoice["id"], {"party": party, "contact": who["contacts"][0]["id"]})
    return invoice
