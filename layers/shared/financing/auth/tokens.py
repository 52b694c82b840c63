"""Verify bearer JWTs: HS256 with a development secret, or RS256 against a JWKS URL when deployed."""

from dataclasses import dataclass
from functools import cache

import jwt

from financing.domain.actor import is_tenant_id

REQUIRED_CLAIMS = ["exp", "iat", "sub", "iss", "aud"]


class InvalidToken(Exception):
    """Missing, malformed, expired, not yet valid, wrongly signed or for another issuer/audience."""


@dataclass(frozen=True)
class Claims:
    subject: str
    tenant_id: str
    scopes: tuple[str, ...]
    consent_id: str | None


@dataclass(frozen=True)
class Verifier:
    issuer: str
    audience: str
    jwks_url: str = ""
    dev_secret: str = ""

    def _key_and_algorithm(self, token: str) -> tuple[object, str]:
        if self.jwks_url:
            return _jwks_client(self.jwks_url).get_signing_key_from_jwt(token).key, "RS256"
        if self.dev_secret:
            return self.dev_secret, "HS256"
        raise InvalidToken("no verification key is configured")

    def verify(self, authorization: str | None) -> Claims:
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise InvalidToken("expected 'Bearer <token>'")
        try:
            key, algorithm = self._key_and_algorithm(token.strip())
            claims = jwt.decode(
                token.strip(),
                key,
                # One algorithm only: no `none`, no HS/RS confusion.
                algorithms=[algorithm],
                audience=self.audience,
                issuer=self.issuer,
                options={"require": REQUIRED_CLAIMS},
                leeway=30,
            )
        except (jwt.PyJWTError, ValueError) as error:
            raise InvalidToken(str(error)) from error
        tenant_id, scope = claims.get("tenant_id"), claims.get("scope", "")
        if not is_tenant_id(tenant_id):
            raise InvalidToken("tenant_id claim missing or malformed")
        if not isinstance(scope, str) or not isinstance(claims["sub"], str):
            raise InvalidToken("scope and sub must be strings")
        consent_id = claims.get("consent_id")
        return Claims(
            subject=claims["sub"],
            tenant_id=tenant_id,
            scopes=tuple(scope.split()),
            consent_id=consent_id if isinstance(consent_id, str) else None,
        )


@cache
def _jwks_client(url: str) -> jwt.PyJWKClient:
    return jwt.PyJWKClient(url, cache_keys=True, lifespan=300, timeout=3)
