"""Attacks on authentication: forged, confused, stale and misdirected tokens. Each is refused by the authorizer
(asked directly, in both of its configurations: HS256 with the development secret, RS256 against a JWKS URL),
and through the local API Gateway emulation on every route template.yaml declares: 401, and no function but
the authorizer is ever invoked."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from financing.auth.tokens import Verifier
from financing.ids import as_uuid
from local.apigateway import Request
from local.gateway import Gateway
from local.runtime import FunctionError
from local.settings import DEV_JWT_SECRET
from local.token import AUDIENCE, ISSUER
from tests.integration.forged_tokens import (
    DEV_ATTACKS,
    JWKS_ATTACKS,
    KEY,
    MALFORMED_HEADERS,
    SECRET,
    Attack,
    hs,
    rs,
)
from tests.integration.harness import Context, call, handler
from tests.integration.open_finance_fixtures import (
    BASE,
    CUSTOMER_CNPJ,
    OTHER_CNPJ,
    brazilian_company,
    consent,
    funded_contract,
    institution,
    read,
)
from tests.integration.routes import declared_routes
from tests.jwks_support import IdentityProvider, identity_provider

ROOT = Path(__file__).resolve().parents[2]
TENANT = "acme"


@pytest.fixture(scope="module")
def issuer() -> Iterator[IdentityProvider]:
    with identity_provider((KEY, "k1")) as serving:
        yield serving


@pytest.fixture(params=["dev", "jwks"])
def configured(request, issuer, monkeypatch) -> tuple[str, dict[str, Attack], Callable[[str], str]]:
    """The authorizer in one configuration: (mode, its attacks, a valid token)."""
    # Imported once per session with the environment the stack gives it (a later test may use the module
    # as imported here); its verifier is replaced for this test only.
    monkeypatch.setenv("JWT_SIGNING_SECRET", DEV_JWT_SECRET)
    handler("authorizer")
    module = sys.modules["fn_authorizer"]
    if request.param == "dev":
        monkeypatch.setattr(module, "verifier", Verifier(ISSUER, AUDIENCE, dev_secret=SECRET))
        return "dev", DEV_ATTACKS, hs
    verifier = Verifier(ISSUER, AUDIENCE, jwks_url=issuer.url, ssl_context=issuer.client_context)
    monkeypatch.setattr(module, "verifier", verifier)
    return "jwks", JWKS_ATTACKS, rs


def authorize(header: str) -> dict[str, Any]:
    event = {
        "type": "TOKEN",
        "authorizationToken": header,
        "methodArn": "arn:aws:execute-api:us-east-1:123456789012:abc/local/GET/v1/companies",
    }
    return handler("authorizer")(event, Context())


def test_the_authorizer_refuses_every_attack(configured):
    mode, attacks, valid = configured
    allowed = [name for name, token in attacks.items() if _allowed(f"Bearer {token(TENANT)}")]
    allowed += [repr(header) for header in MALFORMED_HEADERS if _allowed(header)]
    assert not allowed, f"{mode}: the authorizer allowed {allowed}"
    # The control: a genuine token passes, so the refusals are not an authorizer refusing everything.
    policy = authorize(f"Bearer {valid(TENANT)}")
    assert policy["context"]["tenant_id"] == "acme"
    assert policy["policyDocument"]["Statement"][0]["Effect"] == "Allow"


def _allowed(header: str) -> bool:
    try:
        authorize(header)
    except Exception as refusal:
        assert str(refusal) == "Unauthorized"  # API Gateway answers 401 for exactly this message
        return False
    return True


def test_a_token_for_a_revoked_consent_is_refused(aws):
    """A consent revoked (or one that never existed) opens no Open Finance route: 403 in the spec's
    ResponseError, no data; the same routes answer 200 under a live consent, so the refusal is the consent's."""
    institution(TENANT)
    customer = brazilian_company("Cliente", CUSTOMER_CNPJ, TENANT)
    funded = funded_contract(customer, brazilian_company("Sacado", OTHER_CNPJ, TENANT), reference="c-1")
    contract_id = str(as_uuid(funded["id"]))
    live, revoked = consent(tenant=TENANT), consent(tenant=TENANT)
    revocation = call(
        "revoke_consent",
        "DELETE",
        f"/v1/open_finance/consents/{revoked}",
        resource="/v1/open_finance/consents/{consent_id}",
        path_parameters={"consent_id": revoked},
        scope="consents:manage",
        tenant=TENANT,
    )
    assert revocation.status == 200 and revocation.json["status"] == "REVOKED"
    routes = [route for route in ROUTES if route.path.startswith(BASE)]
    assert len(routes) == 5
    for route in routes:
        # `read` calls the route's handler as the gateway would and checks the answer against the spec.
        rest = route.path.removeprefix(BASE)
        target = (contract_id, rest.removeprefix("/{contractId}").removeprefix("/")) if rest else (None, "")
        assert read(live, *target, tenant=TENANT).status == 200, route.name
        for refused in (revoked, "consent_01JD0000000000000000000000"):
            reply = read(refused, *target, tenant=TENANT)
            assert reply.status == 403, (route.name, refused, reply.json)
            assert set(reply.json) == {"errors", "meta"} and reply.json["errors"][0]["code"] == "FORBIDDEN"
            assert contract_id not in json.dumps(reply.json), route.name


# ------------------------------------------------------------------- through the API Gateway emulation


@dataclass
class RecordingRuntime:
    """Runs the real authorizers in-process and records every other function the gateway would invoke."""

    authorizers: dict[str, str]  # logical id -> function directory
    invoked: list[str]

    def invoke(self, logical_id: str, event: Any) -> Any:
        if logical_id not in self.authorizers:
            self.invoked.append(logical_id)
            return {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": "{}"}
        try:
            return handler(self.authorizers[logical_id])(event, Context())
        except Exception as error:
            raise FunctionError("Exception", str(error)) from error


@pytest.fixture
def gateway(aws) -> Iterator[tuple[Gateway, RecordingRuntime]]:
    authorizers = {
        config["Function"]: aws.functions[config["Function"]].code_dir.name
        for api in aws.apis.values()
        for config in api.authorizers.values()
    }
    runtime = RecordingRuntime(authorizers, [])
    emulated = Gateway(
        "127.0.0.1", 0, root=ROOT, aws_endpoint="", account_id="123456789012", region="us-east-1"
    )
    emulated.attach(aws, runtime, None)  # type: ignore[arg-type]
    emulated.ready = True
    yield emulated, runtime
    emulated.server.server_close()


ROUTES = declared_routes()


def _request(route, header: str | None) -> Request:
    path = "/".join("x1" if part.startswith("{") else part for part in route.path.split("/"))
    headers = [("Content-Type", "application/json")] + (
        [("Authorization", header)] if header is not None else []
    )
    body = b"{}" if route.method in ("POST", "PUT", "PATCH") else None
    return Request(route.method, path, [], headers, body, "127.0.0.1")


def test_no_attack_reaches_a_handler_on_any_route(configured, gateway):
    mode, attacks, valid = configured
    emulated, runtime = gateway
    headers = {"no header": None, **{repr(h): h for h in MALFORMED_HEADERS}}
    headers |= {name: f"Bearer {token(TENANT)}" for name, token in attacks.items()}
    answered = {}
    for route in (route for route in ROUTES if route.authorized):
        for name, header in headers.items():
            reply = emulated.handle(_request(route, header), 2)
            answered[(route.name, name)] = reply.status
            assert json.loads(reply.body), (route.name, name)  # the API's gateway response, as JSON
    wrong = {key: status for key, status in answered.items() if status not in (401, 403)}
    assert not wrong, f"{mode}: not refused with 401 or 403: {wrong}"
    assert runtime.invoked == [], f"{mode}: handlers invoked by refused requests: {runtime.invoked}"
    # The control: a genuine token reaches each route's own function (routes behind the authorizer that
    # this test configures; another API's authorizer, if any, is only attacked above).
    configured_routes = [route for route in ROUTES if route.function_dir in _behind("authorizer", emulated)]
    for route in configured_routes:
        assert emulated.handle(_request(route, f"Bearer {valid(TENANT)}"), 2).status == 200, route.name
    assert len(runtime.invoked) == len(configured_routes) > 0


HOSTED_PAGE = {
    "GET /v1/financing_connect": "get_financing_connect",
    "POST /v1/financing_connect/quote": "quote_financing_invoices",
    "POST /v1/financing_connect/confirm": "confirm_financing_invoices",
}


def test_only_the_hosted_page_routes_bypass_the_authorizer_and_they_refuse_every_bearer_token(aws):
    """The routes without the authorizer (the hosted financing page's) verify their own connect token: every
    attack on the API's bearer tokens, and a genuine bearer token too, is 401 there."""
    assert sorted(route.name for route in ROUTES if not route.authorized) == sorted(HOSTED_PAGE)
    tokens = [hs(TENANT), *(token(TENANT) for token in DEV_ATTACKS.values())]
    body = {"invoices": [{"id": "inv_01JD0000000000000000000000", "type": "receivable"}]}
    for name, function_dir in HOSTED_PAGE.items():
        method, path = name.split(" ")
        for token in tokens:
            reply = call(
                function_dir,
                method,
                path,
                headers={"Authorization": f"Bearer {token}"},
                body=body if method == "POST" else None,
                tenant=None,
            )
            assert reply.status == 401 and reply.json == {
                "error": {"message": "A valid connect token is required."}
            }, name


def _behind(authorizer_dir: str, emulated: Gateway) -> set[str]:
    """The function directories of the routes that `authorizer_dir`'s function authorizes."""
    stack = emulated.stack
    assert stack is not None
    return {
        stack.functions[route.function].code_dir.name
        for api in stack.apis.values()
        for route in api.routes
        if route.authorizer
        and stack.functions[api.authorizers[route.authorizer]["Function"]].code_dir.name == authorizer_dir
    }


# ------------------------------------------------------------------ certificate-bound Open Finance tokens


def test_a_certificate_bound_token_passes_the_local_gateway_only_with_its_certificate(gateway):
    """Locally the X-Client-Certificate header stands in for the mutual-TLS handshake: the gateway hands it
    to the Open Finance API's REQUEST authorizer as API Gateway hands the client certificate."""
    from urllib.parse import quote

    from financing.auth.certificates import thumbprint
    from local.apigateway import CLIENT_CERTIFICATE_HEADER
    from local.token import mint
    from tests.unit.test_certificate_bound_tokens import certificate

    emulated, runtime = gateway
    mine, other = certificate("tpp"), certificate("someone-else")
    bound = mint(TENANT, "invoice-financings", consent_id="urn:acme:c1", bound_to=thumbprint(mine))

    def get(pem: str | None) -> int:
        headers = [("Authorization", f"Bearer {bound}")]
        headers += [(CLIENT_CERTIFICATE_HEADER, quote(pem))] if pem else []
        return emulated.handle(Request("GET", BASE, [], headers, None, "127.0.0.1"), 2).status

    assert get(other) == 401 and get(None) == 401
    assert runtime.invoked == []
    assert get(mine) == 200 and len(runtime.invoked) == 1
    # The main API's TOKEN authorizer sees no certificate: a bound token is refused there.
    headers = [("Authorization", f"Bearer {bound}"), (CLIENT_CERTIFICATE_HEADER, quote(mine))]
    assert emulated.handle(Request("GET", "/v1/companies", [], headers, None, "127.0.0.1"), 2).status == 401
