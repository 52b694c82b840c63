"""Mint a development bearer token signed with the local HS256 secret: `make -s token TENANT=acme`."""

import argparse
import time

import jwt

from local.settings import DEV_JWT_SECRET

ALL_SCOPES = (
    "invoices:read",
    "invoices:write",
    "lender:operate",
    "credit-rights:read",
    "credit-rights:write",
    "webhooks:manage",
    "consents:manage",
    "invoice-financings",
)
ISSUER = "invoice-financing"
AUDIENCE = "invoice-financing-api"


def mint(
    tenant: str,
    scopes: str | None = None,
    *,
    consent_id: str | None = None,
    subject: str = "local-developer",
    ttl_seconds: int = 12 * 3600,
    secret: str = DEV_JWT_SECRET,
) -> str:
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": subject,
        "tenant_id": tenant,
        "scope": scopes if scopes is not None else " ".join(ALL_SCOPES),
        "iat": now,
        "nbf": now,
        "exp": now + ttl_seconds,
    }
    if consent_id:
        claims["consent_id"] = consent_id
    return jwt.encode(claims, secret, algorithm="HS256")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tenant", required=True)
    parser.add_argument("--scopes", default=None, help="space-separated; every scope when omitted")
    parser.add_argument("--consent-id", default=None)
    parser.add_argument("--sub", default="local-developer")
    args = parser.parse_args()
    print(mint(args.tenant, args.scopes, consent_id=args.consent_id, subject=args.sub))


if __name__ == "__main__":
    main()
