"""Settings and buyer limits over HTTP against the local stack: scopes, decisions, what is available."""

import pytest

from local.token import mint

pytestmark = pytest.mark.e2e

LENDER = {"Authorization": f"Bearer {mint('acme')}"}
SUPPLIER_APP = {"Authorization": f"Bearer {mint('acme', 'invoices:read invoices:write')}"}
GLOBEX = {"Authorization": f"Bearer {mint('globex')}"}
# Settings change how every invoice of the tenant is funded: this tenant is used by no other test.
TERMS_TENANT = {"Authorization": f"Bearer {mint('e2e-settings')}"}
TERMS_TENANT_READER = {"Authorization": f"Bearer {mint('e2e-settings', 'invoices:read invoices:write')}"}


def _buyer(stack):
    reply = stack.request(
        "POST", "/v1/companies", {"name": "Compradora SA", "address": {"country_code": "BR"}}, SUPPLIER_APP
    )
    assert reply.status == 201, reply.body
    return reply.json()["id"]


def test_request_approve_and_read_what_is_available(stack):
    buyer = _buyer(stack)
    created = stack.request(
        "POST",
        "/v1/buyer_limits",
        {"company": buyer, "requested_limit": 50000, "currency": "brl"},
        SUPPLIER_APP,
    )
    assert created.status == 201, created.body
    limit = created.json()
    assert limit["status"] == "pending" and limit["available_limit"] == 0

    path = f"/v1/buyer_limits/{limit['id']}"
    refused = stack.request("POST", f"{path}/approve", {"total_limit": 40000}, SUPPLIER_APP)
    assert refused.status == 403 and refused.json()["error"]["code"] == "missing_scope"
    assert stack.request("GET", path, headers=SUPPLIER_APP).json()["status"] == "pending"

    approved = stack.request("POST", f"{path}/approve", {"total_limit": 40000.5}, LENDER)
    assert approved.status == 200, approved.body
    read = stack.request("GET", path, headers=SUPPLIER_APP)
    assert read.status == 200 and read.json() == approved.json()
    assert read.json()["status"] == "approved" and read.json()["available_limit"] == 40000.5

    again = stack.request("POST", f"{path}/deny", {"reason": "changed our mind"}, LENDER)
    assert again.status == 409 and again.json()["error"]["code"] == "invalid_transition"
    assert stack.request("GET", path, headers=GLOBEX).status == 404
    listed = stack.request("GET", f"/v1/buyer_limits?company={buyer}", headers=SUPPLIER_APP).json()
    assert [item["id"] for item in listed["data"]] == [limit["id"]]


def test_settings_are_the_lenders(stack):
    assert stack.request("GET", "/v1/settings", headers=TERMS_TENANT_READER).status == 403
    body = {
        "default_after_days": 45,
        "grace_days": 3,
        "late_fee_rate_percentage": 2000,
        "pricing": {"advance_rate_percentage": 8000, "fee_percentage": 200},
    }
    saved = stack.request("PUT", "/v1/settings", body, TERMS_TENANT)
    assert saved.status == 200, saved.body
    assert stack.request("GET", "/v1/settings", headers=TERMS_TENANT).json() == saved.json()
    assert stack.request("GET", "/v1/settings", headers=GLOBEX).json()["default_after_days"] == 90
    assert stack.request("PUT", "/v1/settings", {**body, "grace_days": -1}, TERMS_TENANT).status == 400
