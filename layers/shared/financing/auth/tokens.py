"""Verify bearer JWTs: HS256 with a development secret, or RS256 against a JWKS URL when deployed."""

import ssl
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import jwt

from financing.clock import now
from financing.domain.actor import is_tenant_id

REQUIRED_CLAIMS = ["exp", "iat", "sub", "iss", "aud"]
# How long the identity provider's keys are trusted once fetched: after this a key it has withdrawn stops
# verifying tokens (the next token fetches the key set again).
KEY_CACHE_MINUTES = 10
# A kid not in the cached set fetches the set again (a key rotated in), at most once in this time, so a
# stream of tokens with made-up kids cannot turn each authorizer into a client hammering the provider.
UNKNOWN_KID_COOLDOWN = timedelta(seconds=30)


class InvalidToken(Exception):
    """Missing, malformed, expired, not yet valid, wrongly signed or for another issuer/audience."""


@dataclass(frozen=True)
class Claims:
    subject: str
    tenant_id: str
    scopes: tuple[str, ...]
    consent_id: str | None
    # `cnf.x5t#S256`: the thumbprint of the client certificate the token is bound to (RFC 8705), if any.
    certificate_thumbprint: str | None = None


class IssuerKeys:
    """The identity provider's signing keys by kid, fetched from its https JWKS URL as a whole set and trusted
    for KEY_CACHE_MINUTES; the fetch and parsing are PyJWT's, with its own (unbounded) caches off."""

    def __init__(self, url: str, ssl_context: ssl.SSLContext | None = None) -> None:
        parts = urlsplit(url)
        if parts.scheme != "https" or not parts.hostname:
            raise ValueError("the JWKS URL must be an https URL")
        self._client = jwt.PyJWKClient(
            url, cache_keys=False, cache_jwk_set=False, timeout=3, ssl_context=ssl_context
        )
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at: datetime | None = None
        self._attempted_at: datetime | None = None
        self._lock = threading.Lock()

    def key_for(self, token: str) -> object:
        kid = jwt.get_unverified_header(token).get("kid")
        with self._lock:
            moment = now()
            stale = self._fetched_at is None or moment - self._fetched_at >= timedelta(
                minutes=KEY_CACHE_MINUTES
            )
            if stale:
                self._keys = {}  # not one of these keys verifies anything until fetched again
            # The set is fetched again for a kid it lacks, but not sooner than the cooldown after the last
            # attempt, unless that attempt succeeded and has since expired.
            due = (
                self._attempted_at is None
                or moment - self._attempted_at >= UNKNOWN_KID_COOLDOWN
                or (stale and self._attempted_at == self._fetched_at)
            )
            if kid not in self._keys and due:
                self._attempted_at = moment
                keys = self._client.get_signing_keys(refresh=True)
                self._keys, self._fetched_at = {key.key_id: key for key in keys}, moment
            key = self._keys.get(kid) if isinstance(kid, str) else None
        if key is None:
            raise InvalidToken("no key of the identity provider has this kid")
        return key.key


@dataclass(frozen=True)
class Verifier:
    issuer: str
    audience: str
    jwks_url: str = ""
    dev_secret: str = ""
    # The authorities trusted for the JWKS URL's certificate (the system's when None).
    ssl_context: ssl.SSLContext | None = field(default=None, compare=False, repr=False)
    _issuer_keys: IssuerKeys | None = field(init=False, default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        # An http (or any other) JWKS URL is refused here, when the authorizer starts, not token by token.
        if self.jwks_url:
            object.__setattr__(self, "_issuer_keys", IssuerKeys(self.jwks_url, self.ssl_context))

    def _key_and_algorithm(self, token: str) -> tuple[object, str]:
        if self._issuer_keys is not None:
            return self._issuer_keys.key_for(token), "RS256"
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
        confirmation = claims.get("cnf")
        bound_to = None
        if confirmation is not None:
            bound_to = confirmation.get("x5t#S256") if isinstance(confirmation, dict) else None
            if not isinstance(bound_to, str) or not bound_to:
                # Only certificate binding is supported: a confirmation this API cannot check is refused.
                raise InvalidToken("cnf must hold an x5t#S256 certificate thumbprint")
        return Claims(
            subject=claims["sub"],
            tenant_id=tenant_id,
            scopes=tuple(scope.split()),
            consent_id=consent_id if isinstance(consent_id, str) else None,
            certificate_thumbprint=bound_to,
        )
