"""Mint a development bearer token signed with the local HS256 secret: `make -s token TENANT=acme`."""

import argparse
import importlib.util
import sys
import time
from pathlib import Path

import jwt

from local.settings import DEV_JWT_SECRET, ROOT


def _scope_enum() -> type:
    """The layer's `Scope`, loaded by its file path: the local stack imports this module and keeps the
    functions' code off its own import path."""
    name = "_local_financing_scopes"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ROOT / "layers/shared/financing/auth/scopes.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name].Scope


Scope = _scope_enum()
ALL_SCOPES = tuple(scope.value for scope in Scope)
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
    bound_to: str | None = None,
) -> str:
    """`bound_to`: the thumbprint of the client certificate the token is bound to (`cnf.x5t#S256`)."""
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
    if bound_to:
        claims["cnf"] = {"x5t#S256": bound_to}
    return jwt.encode(claims, secret, algorithm="HS256")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tenant", required=True)
    parser.add_argument("--scopes", default=None, help="space-separated; every scope when omitted")
    parser.add_argument("--consent-id", default=None)
    parser.add_argument("--sub", default="local-developer")
    parser.add_argument("--certificate", default=None, help="a client certificate (PEM file) to bind it to")
    args = parser.parse_args()
    # The layer's code (PYTHONPATH=layers/shared, as `make token` sets it), imported only here: the local
    # stack imports this module too and keeps the functions' code off its own path.
    from financing.auth.certificates import thumbprint

    bound_to = thumbprint(Path(args.certificate).read_text()) if args.certificate else None
    print(mint(args.tenant, args.scopes, consent_id=args.consent_id, subject=args.sub, bound_to=bound_to))


if __name__ == "__main__":
    main()
