"""Auth attacks over HTTP, through the local stack's gateway and its real authorizer (HS256, the development
configuration): every forged, stale or misdirected token gets the gateway's 401, and the handler never runs:
the tenant the tokens claim has nothing stored afterwards, while a genuine token for it creates at once."""

import uuid

import pytest

from local.token import mint
from tests.integration.forged_tokens import DEV_ATTACKS, MALFORMED_HEADERS

pytestmark = pytest.mark.e2e
TENANT = f"atk-{uuid.uuid4().hex[:6]}"
COMPANY = {"name": "Intruder Ltd", "address": {"country_code": "GB"}}


def test_every_attack_is_a_401_from_the_gateway_and_nothing_is_written(stack):
    headers = {repr(header): header for header in MALFORMED_HEADERS}
    headers |= {name: f"Bearer {attack(TENANT)}" for name, attack in DEV_ATTACKS.items()}
    refused = {}
    for name, header in headers.items():
        sent = {"Authorization": header, "x-correlation-id": f"atk-{len(refused)}"}
        reply = stack.request("POST", "/v1/companies", COMPANY, sent)
        refused[name] = reply.status
        if reply.status == 401:
            assert reply.json()["error"]["code"] == "unauthorized", reply.body
            assert reply.headers["x-correlation-id"] == sent["x-correlation-id"]
    assert {name: status for name, status in refused.items() if status != 401} == {}

    genuine = {"Authorization": f"Bearer {mint(TENANT)}"}
    assert stack.request("GET", "/v1/companies", headers=genuine).json()["data"] == []
    assert stack.request("POST", "/v1/companies", COMPANY, genuine).status == 201
