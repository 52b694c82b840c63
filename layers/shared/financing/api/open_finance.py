"""Open Finance glue: the resolver and entry point of the five Invoice Financings endpoints.

Before routing: `x-fapi-interaction-id` must be a UUID (400 with a generated one otherwise), `Accept`
must allow JSON (406), then the core guards (tenant, scope). Every response echoes the interaction id
and is `application/json; charset=utf-8`; every error is a `ResponseError`.
"""

import re
import uuid
from collections.abc import Callable
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from financing.api.core import core_api, declaring, entrypoint, respond
from financing.auth.scopes import Scope
from financing.correlation import correlation_id_of
from financing.families.open_finance.envelope import paged_body
from financing.families.open_finance.errors import (
    OPEN_FINANCE_HEADER,
    OPEN_FINANCE_MEDIA_TYPE,
    MissingInteractionId,
    NotAcceptable,
    open_finance_error_for,
)
from financing.families.open_finance.pagination import PageRequest
from financing.ids import UUID_PATTERN

# The spec's paging query parameters, as every paginated handler declares them (page-size > 1000 is
# a 422 decided after the consent check, so it is not a validation bound here).
Page = Annotated[int, Query(ge=1, le=2_147_483_647)]
PageSize = Annotated[int, Query(alias="page-size", ge=1)]
PaginationKey = Annotated[str | None, Query(alias="pagination-key", max_length=2048)]
_UUID = re.compile(UUID_PATTERN)
_JSON_RANGES = {"*/*", "application/*", "application/json"}


def _header(event: dict[str, Any], name: str) -> str | None:
    return next((v for k, v in (event.get("headers") or {}).items() if k.lower() == name), None)


def interaction_id_of(event: dict[str, Any]) -> str | None:
    value = _header(event, OPEN_FINANCE_HEADER)
    return value if value and _UUID.fullmatch(value) else None


def _reference(event: dict[str, Any]) -> str:
    return interaction_id_of(event) or correlation_id_of(event)


def accepts_json(event: dict[str, Any]) -> bool:
    accept = _header(event, "accept")
    if not accept or not accept.strip():
        return True
    for item in accept.split(","):
        media, *params = (part.strip() for part in item.split(";"))
        refused = any(p.replace(" ", "") in {"q=0", "q=0.0", "q=0.00", "q=0.000"} for p in params)
        if not refused and (media.lower() in _JSON_RANGES or media.lower().endswith("+json")):
            return True
    return False


def consent_id_of(app: APIGatewayRestResolver) -> str | None:
    """The consent the token was issued under (the authorizer passes the `consent_id` claim on)."""
    context = (app.current_event.raw_event.get("requestContext") or {}).get("authorizer") or {}
    return context.get("consent_id") or None


def open_finance_api() -> APIGatewayRestResolver:
    app = core_api(open_finance_error_for, _reference)

    def _echo_interaction(app: APIGatewayRestResolver, next_middleware: Callable[..., Response]) -> Response:
        response = next_middleware(app)
        response.headers[OPEN_FINANCE_HEADER] = _reference(app.current_event.raw_event)
        response.headers["Content-Type"] = OPEN_FINANCE_MEDIA_TYPE
        return response

    app.use([_echo_interaction])
    return app


def open_finance_entrypoint(app: APIGatewayRestResolver) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    guarded = entrypoint(
        app, scope=Scope.INVOICE_FINANCINGS, error_for=open_finance_error_for, reference_of=_reference
    )

    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        interaction_id = interaction_id_of(event)
        if interaction_id is None:
            return open_finance_error_for(MissingInteractionId(), str(uuid.uuid4()))
        if not accepts_json(event):
            return open_finance_error_for(NotAcceptable(), interaction_id)
        return guarded(event, context)

    return declaring(handler, guarded.required_scope)


def reply(app: APIGatewayRestResolver, data: Any, request: PageRequest | None, total: int) -> Response:
    """200 with `data` in the spec's envelope: links to the neighbouring pages of `request`, and meta."""
    return respond(200, paged_body(app.current_event.raw_event, data, request, total))
