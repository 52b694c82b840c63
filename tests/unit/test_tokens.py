import time

import jwt
import pytest

from financing.auth.tokens import InvalidToken, Verifier
from local.token import mint

SECRET = "unit-test-secret-unit-test-secret-0123"
verifier = Verifier(issuer="invoice-financing", audience="invoice-financing-api", dev_secret=SECRET)


def _claims(**overrides):
    now = int(time.time())
    claims = {
        "iss": "invoice-financing",
        "aud": "invoice-financing-api",
        "sub": "dev",
        "tenant_id": "acme",
        "scope": "invoices:read",
        "iat": now,
        "exp": now + 60,
    }
    claims.update(overrides)
    return {key: value for key, value in claims.items() if value is not None}


def test_a_minted_development_token_verifies_with_every_scope():
    claims = verifier.verify("Bearer " + mint("acme", secret=SECRET, consent_id="urn:consent:1"))
    assert claims.tenant_id == "acme"
    assert "lender:operate" in claims.scopes and "invoice-financings" in claims.scopes
    assert claims.consent_id == "urn:consent:1"


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "Bearer",
        "Basic abc",
        "Bearer not-a-jwt",
        "Bearer " + jwt.encode(_claims(), "another-secret-another-secret-0123456", algorithm="HS256"),
        "Bearer " + jwt.encode(_claims(exp=int(time.time()) - 3600), SECRET, algorithm="HS256"),
        "Bearer " + jwt.encode(_claims(nbf=int(time.time()) + 3600), SECRET, algorithm="HS256"),
        "Bearer " + jwt.encode(_claims(iss="someone-else"), SECRET, algorithm="HS256"),
        "Bearer " + jwt.encode(_claims(aud="another-api"), SECRET, algorithm="HS256"),
        "Bearer " + jwt.encode(_claims(tenant_id=None), SECRET, algorithm="HS256"),
        "Bearer " + jwt.encode(_claims(tenant_id="acme#COMPANY"), SECRET, algorithm="HS256"),
        "Bearer " + jwt.encode(_claims(tenant_id="acme\n"), SECRET, algorithm="HS256"),
        "Bearer " + jwt.encode(_claims(exp=None), SECRET, algorithm="HS256"),
        "Bearer " + jwt.encode(_claims(), None, algorithm="none"),
    ],
    ids=[
        "missing",
        "empty",
        "no-token",
        "basic",
        "malformed",
        "wrong-secret",
        "expired",
        "not-yet-valid",
        "wrong-issuer",
        "wrong-audience",
        "no-tenant",
        "tenant-with-separator",
        "tenant-with-trailing-newline",
        "no-expiry",
        "alg-none",
    ],
)
def test_bad_tokens_are_refused(header):
    with pytest.raises(InvalidToken):
        verifier.verify(header)


def test_a_tampered_payload_is_refused():
    header, _payload, signature = jwt.encode(_claims(), SECRET, algorithm="HS256").split(".")
    other = jwt.encode(_claims(tenant_id="globex"), SECRET, algorithm="HS256").split(".")[1]
    with pytest.raises(InvalidToken):
        verifier.verify(f"Bearer {header}.{other}.{signature}")


def test_with_no_key_configured_every_token_is_refused():
    with pytest.raises(InvalidToken):
        Verifier(issuer="invoice-financing", audience="invoice-financing-api").verify(
            "Bearer " + mint("acme")
        )
