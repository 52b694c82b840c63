"""GET /v1/credit-rights: the tenant's receivables with their outcomes, a page at a time, nothing of another tenant."""

import pytest

from tests.integration.harness import call
from tests.integration.receivable_fixtures import deliver, outbox_events, receivable

pytestmark = pytest.mark.usefixtures("aws")
WRITE = "credit-rights:write credit-rights:read"


def listed(query=None, tenant="acme", scope="credit-rights:read"):
    return call("list_credit_rights", "GET", "/v1/credit-rights", query=query, tenant=tenant, scope=scope)


def register(internal_number: str, tenant: str = "acme") -> None:
    reply = call(
        "create_credit_right",
        "POST",
        "/v1/credit-rights",
        body=receivable(internal_number=internal_number),
        tenant=tenant,
        scope=WRITE,
    )
    assert reply.status == 202, reply.json


def test_pages_walk_every_receivable_once_in_internal_number_order_with_outcomes():
    # Given five receivables of acme, one registered by the registrar, and one of globex
    for n in ("R-05", "R-01", "R-03", "R-02", "R-04"):
        register(n)
    register("G-01", tenant="globex")
    first = next(
        e
        for e in outbox_events("credit_rights.registration_requested")
        if e["object"]["internal_number"] == "R-01"
    )
    assert deliver("credit_rights.registration_requested", first) == {"batchItemFailures": []}
    # When acme lists them two at a time
    seen, cursor = [], None
    while True:
        reply = listed({"limit": "2", **({"cursor": cursor} if cursor else {})})
        assert reply.status == 200, reply.json
        seen += reply.json["data"]
        if not reply.json["has_more"]:
            break
        cursor = reply.json["next_cursor"]
    # Then each appears once, in order, with its registry status; globex's never
    assert [r["internal_number"] for r in seen] == ["R-01", "R-02", "R-03", "R-04", "R-05"]
    assert [r["status"] for r in seen] == ["CONFIRMED", "PENDING", "PENDING", "PENDING", "PENDING"]


def test_another_tenants_cursor_is_refused_in_pismos_envelope():
    for n in ("R-01", "R-02", "R-03"):
        register(n)
    cursor = listed({"limit": "1"}).json["next_cursor"]
    reply = listed({"limit": "1", "cursor": cursor}, tenant="globex")
    assert reply.status == 400 and reply.json["errors"] and reply.json["correlationId"]


def test_a_bad_limit_is_400_in_pismos_envelope_and_the_scope_is_credit_rights_read():
    reply = listed({"limit": "0"})
    assert reply.status in (400, 422) and reply.json["errors"] and reply.json["correlationId"], reply.json
    assert listed(scope="invoices:read").status == 403
