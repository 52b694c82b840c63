"""The Monite family's resolver and entry point: Monite's error envelopes and its two headers, checked in
one place for every route of the family.

- `x-monite-version`: optional here (Monite requires it); when present it must be a date (`2024-05-25`).
- `x-monite-entity-id`: optional; when present it must name the token's tenant, otherwise 403.
"""

from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Header

from financing.api.core import caller, core_api, declaring, entrypoint, with_cors
from financing.auth.financing_tokens import Grant, Purpose, verify
from financing.auth.tokens import InvalidToken
from financing.correlation import correlation_id_of
from financing.families.monite.errors import (
    ForeignEntity,
    InvalidFinancingToken,
    InvalidHeader,
    monite_error_for,
)

VERSION = "x-monite-version"
ENTITY = "x-monite-entity-id"


def header(event: dict[str, Any], name: str) -> str | None:
    for key, value in (event.get("headers") or {}).items():
        if key.lower() == name:
            return value
    return None


def check_headers(event: dict[str, Any], tenant_id: str) -> None:
    version = header(event, VERSION)
    if version is not None:
        try:
            date.fromisoformat(version)
        except ValueError:
            raise InvalidHeader(VERSION, "must be a date such as 2024-05-25") from None
        if len(version) != 10:
            raise InvalidHeader(VERSION, "must be a date such as 2024-05-25")
    entity = header(event, ENTITY)
    if entity is not None and entity != tenant_id:
        raise ForeignEntity()


def business(app: APIGatewayRestResolver, now: datetime) -> Grant:
    """The caller's business (tenant and entity: `x-monite-entity-id`, which can only name the tenant) as
    financing tokens grant it, from now."""
    actor = caller(app)
    entity = header(app.current_event.raw_event, ENTITY) or actor.tenant_id
    return Grant.starting(now, tenant_id=actor.tenant_id, entity_id=entity, subject=actor.subject)


# The hosted page's routes take their credential, the connect token, in the request (outside the authorizer).
ConnectAuthorization = Annotated[
    str | None, Header(alias="authorization", description="`Bearer <connect_token>`.")
]


def connect_grant(authorization: str | None) -> Grant:
    """The business a connect token names (`Authorization: Bearer <connect_token>`): what the hosted page's
    routes act for, whatever the request says. Anything else is 401, in the same words whatever failed."""
    scheme, _, token = (authorization or "").partition(" ")
    try:
        return verify(token.strip() if scheme.lower() == "bearer" else None, Purpose.CONNECT)
    except InvalidToken:
        raise InvalidFinancingToken() from None


def monite_api() -> APIGatewayRestResolver:
    app = core_api(monite_error_for)

    def _headers(app: APIGatewayRestResolver, next_middleware: Callable[..., Response]) -> Response:
        check_headers(app.current_event.raw_event, caller(app).tenant_id)
        return next_middleware(app)

    app.use([_headers])
    return app


def monite_entrypoint(
    app: APIGatewayRestResolver, *, scope: str | None
) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    return entrypoint(app, scope=scope, error_for=monite_error_for)


def connect_entrypoint(app: APIGatewayRestResolver) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    """The handler of a hosted-page route that takes a body: the connect token is checked before the
    request is read, so a caller without one gets the same 401 whatever it sent (as the authorizer answers
    first on the bearer routes); the route then acts for the token's business."""
    inner = monite_entrypoint(app, scope=None)

    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        try:
            connect_grant(header(event, "authorization"))
        except InvalidFinancingToken as refusal:
            return with_cors(event, monite_error_for(refusal, correlation_id_of(event)))
        return inner(event, context)

    return declaring(handler, None)
