"""Resolver factory and Lambda entry point for every family: validation, errors, correlation, auth.

The families differ only in their error envelope (`error_for`); the core one is the default."""

import base64
import binascii
import os
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.middlewares.openapi_validation import (
    OpenAPIResponseValidationMiddleware,
)

from financing import exact_json
from financing.api.auth import actor_of
from financing.correlation import HEADER as CORRELATION_HEADER
from financing.correlation import correlation_id_of
from financing.domain.actor import Actor
from financing.families.core.errors import core_error_for
from financing.families.refusals import MalformedBody, PayloadTooLarge, UnsupportedMediaType
from financing.observability import logger, traced

MAX_BODY_BYTES = 256 * 1024
ErrorFor = Callable[[Exception, str], dict[str, Any]]
ReferenceOf = Callable[[dict[str, Any]], str]
Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


class ExactResponses(OpenAPIResponseValidationMiddleware):
    """Powertools' response validation, keeping the decimals of the validated body for exact_json.dumps."""

    def _serialize_response_with_validation(self, *, field: Any, response_content: Any, **kwargs: Any) -> Any:
        as_json = super()._serialize_response_with_validation(
            field=field, response_content=response_content, **kwargs
        )
        value, _ = field.validate(response_content, loc=("response",))
        return exact_json.with_decimals(as_json, field.serialize(value, mode="python"))


def core_api(
    error_for: ErrorFor = core_error_for, reference_of: ReferenceOf = correlation_id_of
) -> APIGatewayRestResolver:
    """A resolver answering errors in `error_for`'s envelope (the core family's unless told otherwise);
    `reference_of` names the request in errors, logs and `x-correlation-id` (its correlation id)."""
    # Bodies are read and written with exact decimals (no float ever holds an amount), both here and in
    # the response validation, which would otherwise turn each decimal into a string or a float.
    app = APIGatewayRestResolver(
        enable_validation=True, serializer=exact_json.dumps, json_body_deserializer=exact_json.loads
    )
    app._response_validation_middleware = ExactResponses(validation_serializer=exact_json.dumps)

    @app.exception_handler(Exception)
    def _any_error(exc: Exception) -> Response:
        return as_response(error_for(exc, reference_of(app.current_event.raw_event)))

    def _echo_correlation(app: APIGatewayRestResolver, next_middleware: Callable[..., Response]) -> Response:
        response = next_middleware(app)
        response.headers[CORRELATION_HEADER] = reference_of(app.current_event.raw_event)
        return response

    app.use([_echo_correlation])
    return app


def as_response(proxy: dict[str, Any]) -> Response:
    return Response(status_code=proxy["statusCode"], body=proxy["body"], headers=proxy["headers"])


def caller(app: APIGatewayRestResolver) -> Actor:
    """The verified caller of the current request (its scope was checked before routing)."""
    event = app.current_event.raw_event
    return actor_of(event, correlation_id_of(event), app.context["scope"])


def _content_type(event: dict[str, Any]) -> str:
    for name, value in (event.get("headers") or {}).items():
        if name.lower() == "content-type":
            return (value or "").split(";")[0].strip().lower()
    return ""


def _is_text(event: dict[str, Any]) -> bool:
    """A body the gateway had to base64-encode must still be UTF-8 to be JSON."""
    if not event.get("isBase64Encoded") or not event.get("body"):
        return True
    try:
        base64.b64decode(event["body"], validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return False
    return True


def _refusal(
    event: dict[str, Any], scope: str | None, correlation_id: str, error_for: ErrorFor
) -> dict[str, Any] | None:
    """What must be refused before routing: the caller and scope first (so a 403 never reveals
    validation rules), then the body's size, media type and encoding. A route without `scope` is one
    the authorizer does not guard: its handler verifies its own credential."""
    try:
        if scope is not None:
            actor_of(event, correlation_id, scope)
    except Exception as error:
        return error_for(error, correlation_id)
    body = event.get("body") or ""
    if len(body.encode() if isinstance(body, str) else body) > MAX_BODY_BYTES:
        return error_for(PayloadTooLarge(), correlation_id)
    media = _content_type(event)
    if body and media and media != "application/json" and not media.endswith("+json"):
        return error_for(UnsupportedMediaType(), correlation_id)
    if not _is_text(event):
        return error_for(MalformedBody(), correlation_id)
    return None


def with_cors(event: dict[str, Any], response: dict[str, Any], origin: str | None = None) -> dict[str, Any]:
    """The web pages' origin (`WEB_ORIGIN`, the CloudFront distribution) may read this answer; any other
    origin, or a request without one, gets no CORS header at all."""
    origin = os.environ.get("WEB_ORIGIN", "") if origin is None else origin
    sent = next((v for k, v in (event.get("headers") or {}).items() if k.lower() == "origin"), None)
    if origin and sent == origin:
        response.setdefault("headers", {}).update(
            {
                "Access-Control-Allow-Origin": origin,
                "Access-Control-Expose-Headers": CORRELATION_HEADER,
                "Vary": "Origin",
            }
        )
    return response


def respond(status: int, body: dict[str, Any]) -> Response:
    return Response(status_code=status, content_type="application/json", body=body)


def entrypoint(
    app: APIGatewayRestResolver,
    *,
    scope: str | None,
    error_for: ErrorFor = core_error_for,
    reference_of: ReferenceOf = correlation_id_of,
) -> Handler:
    """The Lambda handler for `app`, one endpoint needing `scope` (None: no bearer token, the route
    verifies its own credential): guards before routing, observability."""

    @logger.inject_lambda_context(clear_state=True)
    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        correlation_id = reference_of(event)
        logger.set_correlation_id(correlation_id)
        if (refusal := _refusal(event, scope, correlation_id, error_for)) is not None:
            return with_cors(event, refusal)
        app.append_context(scope=scope)
        return with_cors(event, app.resolve(event, context))

    return declaring(traced(handler), scope)


def declaring(handler: Handler, scope: str | None) -> Handler:
    """`handler`, naming the scope its route needs (`required_scope`): what the sample events and the
    scope checks against the template read, so that the handler stays the one place that says it."""
    handler.required_scope = scope  # type: ignore[attr-defined]
    return handler
