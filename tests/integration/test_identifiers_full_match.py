"""Every identifier is matched whole: a trailing newline (`acme\n`) makes no tenant, id, reference or header
that is accepted, stored or echoed; each is refused with a 4xx in its family's envelope, writing nothing."""

import json

import pytest

from financing.adapters.aws import client
from financing.config import settings
from tests.integration.harness import call
from tests.integration.invoice_fixtures import company, draft_body, uploaded_document
from tests.integration.open_finance_fixtures import INTERACTION_ID, read

pytestmark = pytest.mark.usefixtures("aws")

ALL_SCOPES = "invoices:read invoices:write lender:operate webhooks:manage credit-rights:read"


def stored_kinds() -> list[str]:
    rows = client("dynamodb").scan(TableName=settings().table_name)["Items"]
    return sorted(row["kind"]["S"] for row in rows)


def test_a_tenant_with_a_trailing_newline_in_the_authorizer_context_is_401():
    reply = call("list_companies", "GET", "/v1/companies", tenant="acme\n", scope=ALL_SCOPES)
    assert reply.status == 401 and reply.json["error"]["type"] == "authentication_error"


def test_a_correlation_id_with_a_trailing_newline_is_never_echoed():
    reply = call("list_companies", "GET", "/v1/companies", headers={"x-correlation-id": "corr-1\n"})
    assert reply.status == 200
    assert reply.headers["x-correlation-id"] != "corr-1\n" and "\n" not in reply.headers["x-correlation-id"]


def test_an_interaction_id_with_a_trailing_newline_is_400_with_a_generated_one():
    reply = read(None, headers={"x-fapi-interaction-id": INTERACTION_ID + "\n"})
    assert reply.status == 400
    assert reply.headers["x-fapi-interaction-id"] != INTERACTION_ID + "\n"
    assert "\n" not in reply.headers["x-fapi-interaction-id"]


@pytest.mark.parametrize(
    ("function_dir", "resource", "parameter", "value"),
    [
        ("get_company", "/v1/companies/{company_id}", "company_id", "company_{id}\n"),
        ("get_invoice", "/v1/invoices/{invoice_id}", "invoice_id", "inv_{id}\n"),
        (
            "get_webhook_subscription",
            "/v1/webhook_subscriptions/{subscription_id}",
            "subscription_id",
            "whsub_{id}\n",
        ),
        ("get_credit_right", "/v1/credit-rights/{internal_number}", "internal_number", "{id}\n"),
    ],
)
def test_a_path_id_with_a_trailing_newline_is_a_4xx(function_dir, resource, parameter, value):
    identifier = value.format(id="01JD0000000000000000000000")
    path = resource.replace("{" + parameter + "}", identifier)
    reply = call(
        function_dir,
        "GET",
        path,
        resource=resource,
        path_parameters={parameter: identifier},
        scope=ALL_SCOPES,
    )
    assert 400 <= reply.status < 500, reply.json
    assert identifier not in json.dumps(reply.json)


def test_a_contract_id_with_a_trailing_newline_is_a_4xx():
    reply = read("urn:consent:none", "d78fc4e5-37ca-4da3-adf2-9b082bf92281\n")
    assert 400 <= reply.status < 500


def test_a_company_id_with_a_trailing_newline_in_a_body_is_400_and_writes_nothing():
    buyer = company("Buyer")["id"]
    before = stored_kinds()
    reply = call(
        "create_buyer_limit",
        "POST",
        "/v1/buyer_limits",
        body={"company": buyer + "\n", "requested_limit": 1000, "currency": "brl"},
        scope="lender:operate invoices:write",
    )
    assert reply.status == 400 and reply.json["error"]["details"][0]["field"] == "company"
    assert stored_kinds() == before


def test_invoice_parties_with_a_trailing_newline_are_400_and_write_nothing():
    supplier, buyer, document = company("Supplier"), company("Buyer"), uploaded_document()
    before = stored_kinds()
    for field in ("supplier", "buyer"):
        body = draft_body(
            supplier, buyer, document, **{field: {"supplier": supplier, "buyer": buyer}[field]["id"] + "\n"}
        )
        reply = call("create_invoice", "POST", "/v1/invoices", body=body)
        assert reply.status == 400, reply.json
    reply = call(
        "create_invoice",
        "POST",
        "/v1/invoices",
        body=draft_body(supplier, buyer, {"id": document["id"] + "\n"}),
    )
    assert reply.status == 400, reply.json
    assert stored_kinds() == before


def test_a_contact_email_with_a_trailing_newline_is_400():
    body = {
        "name": "Acme",
        "address": {"country_code": "GB"},
        "contacts": [{"first_name": "Sam", "last_name": "Doe", "email": "sam@acme.example\n"}],
    }
    reply = call("create_company", "POST", "/v1/companies", body=body)
    assert reply.status == 400, reply.json
    assert stored_kinds() == []


def test_a_monite_invoice_reference_with_a_trailing_newline_is_422():
    reply = call(
        "create_financing_invoices",
        "POST",
        "/v1/financing_invoices",
        body={"invoices": [{"id": "inv_01JD0000000000000000000000\n"}]},
    )
    assert reply.status == 422, reply.json
