"""Open Finance tokens bound to the client's mTLS certificate (FAPI-BR, RFC 8705): a token carrying
`cnf.x5t#S256` is honoured only with the certificate whose SHA-256 thumbprint it names, presented to the
API's mutual-TLS domain (API Gateway hands the authorizer `requestContext.identity.clientCert`). Deployed
with that domain, every Open Finance token must be bound; a bound token never passes where no certificate
can be presented (the main API's TOKEN authorizer)."""

import base64
import hashlib
import importlib.util
import ssl
import sys
import time

import jwt
import pytest

from tests.integration.harness import ROOT
from tests.jwks_support import self_signed

SECRET = "unit-test-secret-unit-test-secret-0123"
ARN = "arn:aws:execute-api:us-east-1:123456789012:api/local/GET/open-banking/invoice-financings/v1/contracts"


def certificate(name: str) -> str:
    """A self-signed client certificate, PEM."""
    return self_signed(name)[0].decode()


def thumbprint(pem: str) -> str:
    """RFC 8705: base64url (unpadded) of the SHA-256 of the certificate's DER encoding, computed here with
    the standard library, independently of the authorizer."""
    der = ssl.PEM_cert_to_DER_cert(pem)
    return base64.urlsafe_b64encode(hashlib.sha256(der).digest()).rstrip(b"=").decode()


def token(bound_to: str | None = None, **claims) -> str:
    now = int(time.time())
    body = {
        "iss": "invoice-financing",
        "aud": "invoice-financing-api",
        "sub": "tpp-client",
        "tenant_id": "acme",
        "scope": "invoice-financings",
        "consent_id": "urn:acme:consent-1",
        "iat": now,
        "exp": now + 300,
        **claims,
    }
    if bound_to is not None:
        body["cnf"] = {"x5t#S256": bound_to}
    return "Bearer " + jwt.encode(body, SECRET, algorithm="HS256")


def authorizer(monkeypatch, *, require_bound: bool):
    monkeypatch.setenv("JWT_SIGNING_SECRET", SECRET)
    monkeypatch.setenv("JWKS_URL", "")
    monkeypatch.setenv("REQUIRE_CERTIFICATE_BOUND_TOKENS", "true" if require_bound else "false")
    spec = importlib.util.spec_from_file_location(
        "fn_authorizer_mtls", ROOT / "functions" / "authorizer" / "app.py"
    )
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)
    spec.loader.exec_module(module)
    return module.lambda_handler


class Context:
    function_name, memory_limit_in_mb, aws_request_id = "authorizer", 128, "req-1"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:authorizer"


def request_event(authorization: str | None, client_pem: str | None) -> dict:
    """A REQUEST authorizer event as API Gateway sends it for a call on a mutual-TLS custom domain."""
    identity: dict = {"sourceIp": "203.0.113.9"}
    if client_pem is not None:
        identity["clientCert"] = {
            "clientCertPem": client_pem,
            "subjectDN": "CN=tpp",
            "issuerDN": "CN=tpp",
            "serialNumber": "01",
            "validity": {"notBefore": "", "notAfter": ""},
        }
    headers = {"authorization": authorization} if authorization is not None else {}
    return {"type": "REQUEST", "methodArn": ARN, "headers": headers, "requestContext": {"identity": identity}}


def allowed(handler, event) -> dict | None:
    try:
        return handler(event, Context())
    except Exception as error:  # API Gateway's 401 is this exact message
        assert str(error) == "Unauthorized"
        return None


@pytest.mark.parametrize("require_bound", [True, False])
def test_a_bound_token_with_its_own_certificate_is_allowed(monkeypatch, require_bound):
    pem = certificate("tpp")
    answer = allowed(
        authorizer(monkeypatch, require_bound=require_bound), request_event(token(thumbprint(pem)), pem)
    )
    assert answer is not None
    assert (
        answer["context"]["tenant_id"] == "acme" and answer["context"]["consent_id"] == "urn:acme:consent-1"
    )


@pytest.mark.parametrize("require_bound", [True, False])
def test_a_bound_token_with_another_certificate_is_refused(monkeypatch, require_bound):
    mine, stolen_by = certificate("tpp"), certificate("attacker")
    event = request_event(token(thumbprint(mine)), stolen_by)
    assert allowed(authorizer(monkeypatch, require_bound=require_bound), event) is None


@pytest.mark.parametrize("require_bound", [True, False])
def test_a_bound_token_without_a_certificate_is_refused(monkeypatch, require_bound):
    event = request_event(token(thumbprint(certificate("tpp"))), None)
    assert allowed(authorizer(monkeypatch, require_bound=require_bound), event) is None


@pytest.mark.parametrize("confirmation", [{"x5t#S256": 42}, {"x5t#S256": ""}, "x5t", {"jkt": "abc"}])
def test_a_malformed_confirmation_claim_is_refused(monkeypatch, confirmation):
    pem = certificate("tpp")
    event = request_event(token(cnf=confirmation), pem)
    assert allowed(authorizer(monkeypatch, require_bound=False), event) is None


def test_where_bound_tokens_are_required_a_plain_bearer_token_is_refused_even_with_a_certificate(monkeypatch):
    pem = certificate("tpp")
    assert allowed(authorizer(monkeypatch, require_bound=True), request_event(token(), pem)) is None
    assert allowed(authorizer(monkeypatch, require_bound=False), request_event(token(), pem)) is not None


def test_a_request_without_a_bearer_token_is_refused(monkeypatch):
    assert (
        allowed(authorizer(monkeypatch, require_bound=False), request_event(None, certificate("tpp"))) is None
    )


def test_a_bound_token_is_refused_by_the_token_authorizer_where_no_certificate_is_presented(monkeypatch):
    pem = certificate("tpp")
    handler = authorizer(monkeypatch, require_bound=False)
    event = {"type": "TOKEN", "authorizationToken": token(thumbprint(pem)), "methodArn": ARN}
    assert allowed(handler, event) is None
    assert allowed(handler, {**event, "authorizationToken": token()}) is not None
