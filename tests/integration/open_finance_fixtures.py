"""Given-steps for Open Finance tests: the institution's settings, Brazilian parties, funded contracts,
consents, and `read(...)`, which calls an Open Finance handler and checks its answer against the spec."""

from datetime import timedelta
from typing import Any

from financing import clock
from tests.integration.harness import Reply, call
from tests.integration.invoice_fixtures import act, approve_limit, draft_body, uploaded_document
from tests.open_finance_contract import conforming

BASE = "/open-banking/invoice-financings/v2/contracts"
INSTITUTION_CNPJ = "45723174000110"
CUSTOMER_CNPJ = "11222333000181"
OTHER_CNPJ = "11444777000161"
INTERACTION_ID = "d78fc4e5-37ca-4da3-adf2-9b082bf92280"
ALL_PERMISSIONS = [
    "INVOICE_FINANCINGS_READ",
    "INVOICE_FINANCINGS_WARRANTIES_READ",
    "INVOICE_FINANCINGS_SCHEDULED_INSTALMENTS_READ",
    "INVOICE_FINANCINGS_PAYMENTS_READ",
    "RESOURCES_READ",
]
TERMS = {
    "default_after_days": 90,
    "grace_days": 0,
    "late_fee_rate_percentage": 2400,
    "pricing": {"advance_rate_percentage": 9000, "fee_percentage": 250},
}
LENDER = "invoices:read invoices:write lender:operate"


def institution(tenant: str = "acme") -> None:
    body = {**TERMS, "brand_name": "Banco Acme", "institution_cnpj": INSTITUTION_CNPJ}
    assert call("put_settings", "PUT", "/v1/settings", body=body, scope=LENDER, tenant=tenant).status == 200


def brazilian_company(name: str, tax_id: str, tenant: str = "acme") -> dict:
    body = {
        "name": name,
        "address": {"country_code": "BR"},
        "tax_id": tax_id,
        "contacts": [{"first_name": "Ana", "last_name": name, "is_signatory": True}],
    }
    reply = call("create_company", "POST", "/v1/companies", body=body, tenant=tenant)
    assert reply.status == 201, reply.json
    return reply.json


def funded_contract(
    supplier: dict,
    buyer: dict,
    *,
    reference: str,
    amount: int = 88000,
    days: int = 60,
    currency: str = "brl",
) -> dict:
    """An invoice of `supplier`, approved and funded at 90% advance and 2.5% fee, due in `days`."""
    approve_limit(buyer["id"], 100_000_000, currency=currency)
    today = clock.today()
    body = draft_body(
        supplier,
        buyer,
        uploaded_document(),
        amount=amount,
        currency=currency,
        client_reference_id=reference,
        invoice_number=f"DUP-{reference}",
        due_date=(today + timedelta(days=days)).isoformat(),
    )
    invoice = call("create_invoice", "POST", "/v1/invoices", body=body).json
    act("submit_invoice", "submit", invoice["id"])
    act("request_invoice_signatures", "request_signatures", invoice["id"])
    for party, company in (("supplier", supplier), ("buyer", buyer)):
        act("sign_invoice", "sign", invoice["id"], {"party": party, "contact": company["contacts"][0]["id"]})
    funded = act(
        "fund_invoice", "fund", invoice["id"], {"advance_rate_percentage": 9000, "fee_percentage": 250}
    )
    assert funded.status == 200, funded.json
    return funded.json


def pay(invoice_id: str, amount: float, reference: str) -> dict:
    body = {"amount": amount, "paid_date": clock.today().isoformat(), "reference": reference}
    reply = act("record_invoice_payment", "payments", invoice_id, body)
    assert reply.status == 200, reply.json
    return reply.json


def consent(
    customer: str = CUSTOMER_CNPJ, permissions: list[str] | None = None, tenant: str = "acme", days: int = 30
) -> str:
    expiry = (clock.now() + timedelta(days=days)).isoformat().replace("+00:00", "Z")
    body = {
        "customer_document": customer,
        "permissions": permissions or ALL_PERMISSIONS,
        "expiration_date_time": expiry,
    }
    reply = call(
        "create_consent",
        "POST",
        "/v1/open_finance/consents",
        body=body,
        scope="consents:manage",
        tenant=tenant,
    )
    assert reply.status == 201, reply.json
    return reply.json["consent_id"]


FUNCTIONS = {
    "": ("get_invoice_financing_contract", "/{contractId}"),
    "warranties": ("list_invoice_financing_warranties", "/{contractId}/warranties"),
    "scheduled-instalments": (
        "get_invoice_financing_scheduled_instalments",
        "/{contractId}/scheduled-instalments",
    ),
    "payments": ("get_invoice_financing_payments", "/{contractId}/payments"),
}


def read(
    consent_id: str | None,
    contract_id: str | None = None,
    part: str = "",
    *,
    query: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    scope: str = "invoice-financings",
    tenant: str = "acme",
) -> Reply:
    """GET one of the five endpoints as API Gateway would invoke it; the reply must conform to the spec."""
    if contract_id is None:
        function_dir, resource, params, path = "list_invoice_financing_contracts", BASE, None, BASE
    else:
        function_dir, suffix = FUNCTIONS[part]
        resource, params = BASE + suffix, {"contractId": contract_id}
        path = BASE + suffix.replace("{contractId}", contract_id)
    sent = {"x-fapi-interaction-id": INTERACTION_ID, **(headers or {})}
    reply = call(
        function_dir,
        "GET",
        path,
        resource=resource,
        path_parameters=params,
        query=query,
        headers={k: v for k, v in sent.items() if v is not None},
        scope=scope,
        tenant=tenant,
        consent_id=consent_id,
    )
    conforming("GET", path, query, reply.status, reply.headers, reply.json)
    return reply


def errors_of(reply: Reply) -> list[dict[str, Any]]:
    return reply.json["errors"]
