"""Companies over HTTP against the local stack: auth, tenancy, errors, idempotency and the event on the bus."""

import uuid

import pytest

from local.token import mint
from tests.e2e.conftest import subscribe

pytestmark = pytest.mark.e2e

ACME = {"Authorization": f"Bearer {mint('acme')}"}
GLOBEX = {"Authorization": f"Bearer {mint('globex')}"}
BODY = {"name": "Fornecedora Ltda", "address": {"country_code": "BR"}, "tax_id": "11.222.333/0001-81"}


@pytest.fixture
def watcher(stack):
    """The user's own SQS queue, subscribed to the platform's events on the stack's bus."""
    return subscribe(stack, {"source": ["invoice-financing"]})


def test_a_created_company_reaches_a_subscribers_queue_as_company_created(stack, watcher):
    reply = stack.request("POST", "/v1/companies", BODY, {**ACME, "x-correlation-id": "e2e-corr-1"})
    assert reply.status == 201, reply.body
    company = reply.json()
    event = watcher(lambda e: e["detail"]["object"]["id"] == company["id"])
    assert event["detail-type"] == "company.created" and event["source"] == "invoice-financing"
    assert event["detail"]["tenant_id"] == "acme" and event["detail"]["correlation_id"] == "e2e-corr-1"
    assert event["detail"]["object"] == company


def test_read_list_and_update_within_the_tenant_only(stack, watcher):
    company = stack.request("POST", "/v1/companies", BODY, ACME).json()
    path = f"/v1/companies/{company['id']}"
    assert stack.request("GET", path, headers=ACME).json() == company
    assert stack.request("GET", path, headers=GLOBEX).status == 404
    assert company["id"] in [
        c["id"] for c in stack.request("GET", "/v1/companies?limit=100", headers=ACME).json()["data"]
    ]
    assert company["id"] not in [
        c["id"] for c in stack.request("GET", "/v1/companies", headers=GLOBEX).json()["data"]
    ]
    assert stack.request("PATCH", path, {"name": "Hijack"}, GLOBEX).status == 404
    updated = stack.request("PATCH", path, {"name": "Fornecedora SA"}, ACME)
    assert updated.status == 200 and updated.json()["name"] == "Fornecedora SA"
    event = watcher(
        lambda e: e["detail-type"] == "company.updated" and e["detail"]["object"]["id"] == company["id"]
    )
    assert event["detail"]["object"]["name"] == "Fornecedora SA"


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 401),
        ({"Authorization": "Bearer nonsense"}, 401),
        ({"Authorization": "Bearer " + mint("acme", secret="a-different-secret-a-different-secret")}, 401),
        ({"Authorization": "Bearer " + mint("acme", ttl_seconds=-3600)}, 401),
        ({"Authorization": "Bearer " + mint("acme", "invoices:read")}, 403),
    ],
    ids=["missing", "malformed", "wrong-signature", "expired", "missing-scope"],
)
def test_bad_tokens_never_reach_the_handler(stack, headers, status):
    reply = stack.request("POST", "/v1/companies", BODY, headers)
    assert reply.status == status
    error = reply.json()["error"]
    # None sent: the request id names it, whether the gateway or the function answered.
    assert error["correlation_id"] == reply.headers["x-amzn-requestid"]


def test_bad_input_is_a_4xx_in_the_core_envelope(stack):
    reply = stack.request(
        "POST", "/v1/companies", {"name": "X", "address": {"country_code": "BR"}, "tax_id": "123"}, ACME
    )
    assert reply.status == 400
    assert reply.json()["error"]["details"] == [
        {"field": "tax_id", "message": "must be a CPF (11 digits) or a CNPJ (14 digits)"}
    ]
    assert stack.request("GET", "/v1/companies?limit=0", headers=ACME).status == 400
    assert stack.request("GET", "/v1/companies?cursor=forged.token", headers=ACME).status == 400
    assert stack.request("GET", "/v1/companies/not-an-id", headers=ACME).status == 404


def test_an_idempotency_key_replays_the_first_answer(stack):
    headers = {**ACME, "Idempotency-Key": f"e2e-{uuid.uuid4()}"}
    first = stack.request("POST", "/v1/companies", BODY, headers)
    again = stack.request("POST", "/v1/companies", BODY, headers)
    other = stack.request("POST", "/v1/companies", {**BODY, "name": "Other"}, headers)
    assert first.status == again.status == 201 and first.json() == again.json()
    assert other.status == 422
