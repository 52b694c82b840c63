"""Monite's financing tokens: short-lived HS256 JWTs for the supplier's hosted financing page.

- a **connect token** (`aud` financing-connect) names the business (tenant + entity): the hosted page
  exchanges it for the business's offer at `GET /v1/financing_connect`;
- a **session token** (`aud` financing-session) names one financing session and its invoices, pushed
  by `POST /v1/financing_invoices`: presented beside a connect token of the same business, it adds
  that session to the exchange.

Both live `LIFETIME` and are signed with their own key (a generated Secrets Manager
secret, `FINANCING_TOKEN_SECRET_ARN`, read at run time), never the bearer tokens' key: the API's authorizer cannot verify them (and
requires another audience), so nothing a bearer token reaches is reachable with them. Each is
verified for its one audience only, so neither stands in for the other.
"""

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum

import jwt

from financing.adapters.secrets import secret_string
from financing.auth.tokens import InvalidToken
from financing.config import settings
from financing.domain.actor import is_tenant_id

LIFETIME = timedelta(minutes=15)
ISSUER = "invoice-financing/financing-tokens"


class Purpose(StrEnum):
    CONNECT = "financing-connect"
    SESSION = "financing-session"


@dataclass(frozen=True)
class Grant:
    """What a verified financing token allows: its business, and for a session token its session."""

    tenant_id: str
    entity_id: str
    subject: str
    expires_at: datetime
    session_id: str | None = None
    invoice_ids: tuple[str, ...] = ()

    @classmethod
    def starting(
        cls,
        now: datetime,
        *,
        tenant_id: str,
        entity_id: str,
        subject: str,
        session_id: str | None = None,
        invoice_ids: tuple[str, ...] = (),
    ) -> "Grant":
        return cls(tenant_id, entity_id, subject, now + LIFETIME, session_id, invoice_ids)

    def same_business(self, other: "Grant") -> bool:
        return (self.tenant_id, self.entity_id) == (other.tenant_id, other.entity_id)


def _key() -> str:
    # Without its ARN, secret_string fails loudly rather than sign with an empty key.
    return secret_string(settings().financing_token_secret_arn)


def issue(purpose: Purpose, grant: Grant, *, now: datetime) -> str:
    """A signed token for `purpose` carrying `grant` (its business; a session token also its session)."""
    claims = {
        "iss": ISSUER,
        "aud": purpose.value,
        "sub": grant.subject,
        "tenant_id": grant.tenant_id,
        "entity_id": grant.entity_id,
        "iat": int(now.timestamp()),
        "exp": int(grant.expires_at.timestamp()),
    }
    if purpose == Purpose.SESSION:
        claims |= {"session_id": grant.session_id, "invoice_ids": list(grant.invoice_ids)}
    return jwt.encode(claims, _key(), algorithm="HS256")


def issue_pair(business: Grant, session_id: str, invoice_ids: list[str], *, now: datetime) -> dict[str, str]:
    """The two tokens of a push: the session's (the business's, naming the session) and a connect token."""
    session = replace(business, session_id=session_id, invoice_ids=tuple(invoice_ids))
    return {
        "session_token": issue(Purpose.SESSION, session, now=now),
        "connect_token": issue(Purpose.CONNECT, business, now=now),
    }


def verify(token: str | None, purpose: Purpose) -> Grant:
    """The grant of a token issued here for `purpose`; anything else (forged, expired, another purpose or
    issuer, malformed claims) is InvalidToken."""
    if not token:
        raise InvalidToken("no financing token")
    try:
        claims = jwt.decode(
            token,
            _key(),
            algorithms=["HS256"],
            audience=purpose.value,
            issuer=ISSUER,
            options={"require": ["exp", "iat", "iss", "aud", "sub", "tenant_id", "entity_id"]},
            leeway=5,
        )
    except (jwt.PyJWTError, ValueError) as error:
        raise InvalidToken(str(error)) from error
    tenant_id, entity_id, subject = claims["tenant_id"], claims["entity_id"], claims["sub"]
    if not all(isinstance(v, str) for v in (tenant_id, entity_id, subject)) or not is_tenant_id(tenant_id):
        raise InvalidToken("malformed business claims")
    session_id, invoice_ids = claims.get("session_id"), claims.get("invoice_ids", [])
    if purpose == Purpose.SESSION and (
        not isinstance(session_id, str)
        or not isinstance(invoice_ids, list)
        or not all(isinstance(i, str) for i in invoice_ids)
    ):
        raise InvalidToken("malformed session claims")
    return Grant(
        tenant_id=tenant_id,
        entity_id=entity_id,
        subject=subject,
        expires_at=datetime.fromtimestamp(claims["exp"], UTC),
        session_id=session_id if purpose == Purpose.SESSION else None,
        invoice_ids=tuple(invoice_ids) if purpose == Purpose.SESSION else (),
    )
