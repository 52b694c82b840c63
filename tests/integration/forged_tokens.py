"""Forged, confused, stale and misdirected bearer tokens, for the auth-attack tests (in-process and over HTTP).

Each attack is a function of the tenant the token claims, so a test can tell afterwards that nothing was
written for that tenant."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from local.settings import DEV_JWT_SECRET
from local.token import AUDIENCE, ISSUER

SECRET = DEV_JWT_SECRET  # the local stack's, so the same attacks work over HTTP
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
ATTACKER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
PUBLIC_PEM = KEY.public_key().public_bytes(
    serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
)
HOUR = 3600
Attack = Callable[[str], str]  # the claimed tenant -> the token


def claims(tenant: str, **overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    values = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "attacker",
        "tenant_id": tenant,
        "scope": "invoices:read invoices:write lender:operate credit-rights:read credit-rights:write",
        "iat": now,
        "nbf": now,
        "exp": now + 600,
    }
    return {key: value for key, value in {**values, **overrides}.items() if value is not None}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def hand_signed(header: dict[str, Any], payload: dict[str, Any], secret: bytes | None) -> str:
    """A token built by hand, as an attacker would: any header, HMAC-SHA256 with any bytes, or no signature."""
    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(payload).encode())}"
    if secret is None:
        return signing_input + "."
    return f"{signing_input}.{_b64(hmac.new(secret, signing_input.encode(), hashlib.sha256).digest())}"


def hs(tenant: str, **overrides: Any) -> str:
    return jwt.encode(claims(tenant, **overrides), SECRET, algorithm="HS256")


def rs(tenant: str, key: rsa.RSAPrivateKey = KEY, **overrides: Any) -> str:
    return jwt.encode(claims(tenant, **overrides), key, algorithm="RS256", headers={"kid": "k1"})


def tampered(token: str, tenant: str) -> str:
    """The signature of one token on another payload: the tenant swapped after signing."""
    header, _, signature = token.split(".")
    return f"{header}.{_b64(json.dumps(claims(tenant + 'x')).encode())}.{signature}"


def _ago(seconds: int) -> int:
    return int(time.time()) - seconds


# Against the authorizer configured with the development HS256 secret (the local stack's configuration).
DEV_ATTACKS: dict[str, Attack] = {
    "alg-none": lambda t: hand_signed({"alg": "none", "typ": "JWT"}, claims(t), None),
    "alg-none-with-signature": lambda t: hand_signed({"alg": "none"}, claims(t), SECRET.encode()),
    "rs256-when-hs256-expected": lambda t: rs(t),
    "wrong-secret": lambda t: jwt.encode(
        claims(t), "another-secret-another-secret-0123456", algorithm="HS256"
    ),
    "expired": lambda t: hs(t, exp=_ago(HOUR), iat=_ago(2 * HOUR)),
    "not-yet-valid": lambda t: hs(t, nbf=_ago(-HOUR)),
    "wrong-issuer": lambda t: hs(t, iss="https://evil.example"),
    "wrong-audience": lambda t: hs(t, aud="another-api"),
    "no-audience": lambda t: hs(t, aud=None),
    "tampered-payload": lambda t: tampered(hs(t), t),
    "tenant-with-key-separator": lambda t: hs(t, tenant_id=f"{t}#COMPANY"),
    "tenant-path-traversal": lambda t: hs(t, tenant_id=f"../{t}"),
    "tenant-not-a-string": lambda t: hs(t, tenant_id=[t]),
    "tenant-too-long": lambda t: hs(t, tenant_id=t + "a" * 64),
    "no-tenant": lambda t: hs(t, tenant_id=None),
    "no-expiry": lambda t: hs(t, exp=None),
    "no-subject": lambda t: hs(t, sub=None),
    "scope-not-a-string": lambda t: hs(t, scope=["invoices:read"]),
}
# Against the authorizer verifying RS256 with the issuer's JWKS (the deployed configuration).
JWKS_ATTACKS: dict[str, Attack] = {
    "alg-none": DEV_ATTACKS["alg-none"],
    # Algorithm confusion: the issuer's public key (which anyone can fetch) used as an HMAC secret.
    "hs256-signed-with-the-public-key": lambda t: hand_signed(
        {"alg": "HS256", "typ": "JWT", "kid": "k1"}, claims(t), PUBLIC_PEM
    ),
    "hs256-development-token": lambda t: hs(t),
    "rs256-signed-by-another-key": lambda t: rs(t, ATTACKER_KEY),
    "embedded-attacker-jwk": lambda t: jwt.encode(
        claims(t),
        ATTACKER_KEY,
        algorithm="RS256",
        headers={
            "kid": "k1",
            "jwk": json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(ATTACKER_KEY.public_key())),
        },
    ),
    "unknown-kid": lambda t: jwt.encode(claims(t), KEY, algorithm="RS256", headers={"kid": "k2"}),
    "expired": lambda t: rs(t, exp=_ago(HOUR), iat=_ago(2 * HOUR)),
    "not-yet-valid": lambda t: rs(t, nbf=_ago(-HOUR)),
    "wrong-issuer": lambda t: rs(t, iss="https://evil.example"),
    "wrong-audience": lambda t: rs(t, aud="another-api"),
    "tampered-payload": lambda t: tampered(rs(t), t),
    "tenant-with-key-separator": lambda t: rs(t, tenant_id=f"{t}#COMPANY"),
}
MALFORMED_HEADERS = ["", "Bearer", "Bearer ", "Basic YWNtZTpwdw==", "Bearer not.a.jwt", "Token " + "x" * 40]
