"""RS256 tokens verified against a JWKS URL, as deployed: served here on loopback."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from financing.auth.tokens import InvalidToken, Verifier

KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _claims(**overrides):
    now = int(time.time())
    claims = {
        "iss": "https://issuer.example",
        "aud": "invoice-financing-api",
        "sub": "u1",
        "tenant_id": "acme",
        "scope": "invoices:read",
        "iat": now,
        "exp": now + 60,
    }
    return {**claims, **overrides}


@pytest.fixture(scope="module")
def jwks_url():
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(KEY.public_key()))
    body = json.dumps({"keys": [{**jwk, "kid": "k1", "use": "sig", "alg": "RS256"}]}).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/.well-known/jwks.json"
    server.shutdown()


def _verifier(url):
    return Verifier(issuer="https://issuer.example", audience="invoice-financing-api", jwks_url=url)


def test_an_rs256_token_signed_by_the_issuer_verifies(jwks_url):
    token = jwt.encode(_claims(), KEY, algorithm="RS256", headers={"kid": "k1"})
    assert _verifier(jwks_url).verify(f"Bearer {token}").tenant_id == "acme"


def test_a_token_signed_by_another_key_is_refused(jwks_url):
    token = jwt.encode(_claims(), OTHER_KEY, algorithm="RS256", headers={"kid": "k1"})
    with pytest.raises(InvalidToken):
        _verifier(jwks_url).verify(f"Bearer {token}")


def test_hs256_signed_with_the_public_key_is_refused(jwks_url):
    """Algorithm confusion: the public key used as an HMAC secret must not verify."""
    public_pem = KEY.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = {"alg": "HS256", "kid": "k1", "typ": "JWT"}
    signing = jwt.api_jws.PyJWS()
    signing._algorithms["HS256"].prepare_key = lambda key: (
        key
    )  # allow a PEM as HMAC secret, as an attacker would
    token = signing.encode(json.dumps(_claims()).encode(), public_pem, algorithm="HS256", headers=header)
    with pytest.raises(InvalidToken):
        _verifier(jwks_url).verify(f"Bearer {token}")


def test_a_token_with_an_unknown_kid_is_refused(jwks_url):
    token = jwt.encode(_claims(), KEY, algorithm="RS256", headers={"kid": "unknown"})
    with pytest.raises(InvalidToken):
        _verifier(jwks_url).verify(f"Bearer {token}")


def test_a_development_hs256_token_is_refused_when_jwks_is_configured(jwks_url):
    token = jwt.encode(_claims(), "local-development-secret-change-me-0123456789", algorithm="HS256")
    with pytest.raises(InvalidToken):
        _verifier(jwks_url).verify(f"Bearer {token}")
