"""The core error envelope and its mapper: `{"error": {type, code, message, details, correlation_id}}`, as
a model, the responses every core route documents, and the status each error answers with (which the
other families' mappers reuse: one decision, several shapes)."""

import json
import re
import sys
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler.exceptions import NotFoundError, ServiceError
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from pydantic import BaseModel

from financing.correlation import HEADER as CORRELATION_HEADER
from financing.domain.errors import (
    Conflict,
    FieldProblem,
    InvalidInput,
    NotFound,
    StateConflict,
    Unprocessable,
)
from financing.families.cursors import InvalidCursor
from financing.families.refusals import (
    InvalidIdempotencyKey,
    MalformedBody,
    MissingScope,
    PayloadTooLarge,
    Unauthenticated,
    UnsupportedMediaType,
)
from financing.observability import logger


class ErrorDetail(BaseModel):
    field: str
    message: str


class ErrorInfo(BaseModel):
    type: str
    code: str
    message: str
    details: list[ErrorDetail]
    correlation_id: str


class CoreError(BaseModel):
    error: ErrorInfo


_ERRORS = {
    400: "The request is invalid (body, query or path); `details` names each problem.",
    401: "Missing, malformed, expired or wrongly signed bearer token.",
    403: "The token lacks the scope this route needs.",
    404: "No such resource for this tenant.",
    409: "Conflict: a duplicate, a lost race on the same object, or an Idempotency-Key still in flight after a wait of a few seconds.",
    413: "The body exceeds 256 KiB.",
    422: "The Idempotency-Key was already used with another body.",
}


def core_responses(status: int, model: type[BaseModel], description: str) -> dict[int, Any]:
    """OpenAPI responses of a core route: its success and every error envelope it can answer with."""
    return core_responses_as(status, {"application/json": {"model": model}}, description)


def core_responses_as(status: int, content: dict[str, Any], description: str) -> dict[int, Any]:
    """As `core_responses`, for a success of any media type (`content` as OpenAPI writes it)."""
    responses: dict[int, Any] = {status: {"description": description, "content": content}}
    for code, text in _ERRORS.items():
        responses[code] = {"description": text, "content": {"application/json": {"model": CoreError}}}
    return responses


def core_error(
    status: int,
    type_: str,
    code: str,
    message: str,
    correlation_id: str,
    details: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """A Lambda proxy response carrying the core error envelope."""
    body = {
        "error": {
            "type": type_,
            "code": code,
            "message": message,
            "details": details or [],
            "correlation_id": correlation_id,
        }
    }
    return {
        "statusCode": status,
        "headers": {"Content-Type": "application/json", CORRELATION_HEADER: correlation_id},
        "body": json.dumps(body),
    }


_FIELD = re.compile(r"[a-z_][a-z0-9_-]*")
# The tags pydantic puts in a location for the member of a union it tried (`amount | None` fails as
# `amount.decimal` or `amount.function-after[...]`): they name validators, not fields.
_UNION_TAGS = {"none", "str", "int", "float", "bool", "decimal", "date", "datetime", "list", "dict"}


def _location(loc: tuple | list) -> str:
    parts = [
        str(part)
        for part in loc
        if isinstance(part, int) or (_FIELD.fullmatch(str(part)) and part not in _UNION_TAGS)
    ]
    if parts and parts[0] in {"body", "query", "path", "header"}:
        parts = parts[1:] or parts
    return ".".join(parts) or "body"


def validation_details(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    # A field that may be omitted but not null also fails the union's `None` member: that says nothing.
    relevant = [error for error in errors if error.get("type") != "none_required"] or errors
    details: list[dict[str, Any]] = []
    for error in relevant:
        detail = {"field": _location(error.get("loc", ())), "message": error.get("msg", "is invalid")}
        if detail not in details:
            details.append(detail)
    return details


def _problem_details(problems: list[FieldProblem]) -> list[dict[str, Any]]:
    return [{"field": problem.field, "message": problem.message} for problem in problems]


def _invalid_json(correlation_id: str) -> dict[str, Any]:
    return core_error(
        HTTPStatus.BAD_REQUEST,
        "invalid_request_error",
        "invalid_json",
        "The body is not valid JSON.",
        correlation_id,
    )


def core_error_for(exc: Exception, correlation_id: str) -> dict[str, Any]:
    """Map any exception to the core envelope. Only a real fault (not the caller's input) is a 500."""
    bad = HTTPStatus.BAD_REQUEST
    match exc:
        case MalformedBody():
            return _invalid_json(correlation_id)
        case RequestValidationError():
            errors = list(exc.errors())
            if any(error.get("type") == "json_invalid" for error in errors):
                return _invalid_json(correlation_id)
            return core_error(
                bad,
                "invalid_request_error",
                "validation_failed",
                "The request is invalid.",
                correlation_id,
                validation_details(errors),
            )
        case InvalidInput():
            return core_error(
                bad,
                "invalid_request_error",
                "validation_failed",
                exc.message,
                correlation_id,
                _problem_details(exc.problems),
            )
        case InvalidCursor():
            return core_error(
                bad,
                "invalid_request_error",
                "invalid_cursor",
                "The cursor is not valid for this list.",
                correlation_id,
            )
        case InvalidIdempotencyKey():
            return core_error(
                bad,
                "invalid_request_error",
                "invalid_idempotency_key",
                "Idempotency-Key must be 1 to 255 printable characters.",
                correlation_id,
            )
        case PayloadTooLarge():
            return core_error(
                413, "invalid_request_error", "payload_too_large", "The body exceeds 256 KiB.", correlation_id
            )
        case UnsupportedMediaType():
            return core_error(
                415,
                "invalid_request_error",
                "unsupported_media_type",
                "Send the body as JSON with Content-Type: application/json.",
                correlation_id,
            )
        case Unauthenticated():
            return core_error(
                401,
                "authentication_error",
                "unauthorized",
                "A valid bearer token is required.",
                correlation_id,
            )
        case MissingScope():
            return core_error(403, "permission_error", "missing_scope", str(exc), correlation_id)
        case NotFound():
            return core_error(404, "invalid_request_error", "resource_missing", exc.message, correlation_id)
        case NotFoundError():
            return core_error(404, "invalid_request_error", "route_missing", "No such route.", correlation_id)
        case Conflict():
            details = [{"field": key, "message": str(value)} for key, value in exc.details.items()]
            return core_error(409, "invalid_request_error", exc.code, exc.message, correlation_id, details)
        case StateConflict():
            details = [{"field": key, "message": str(value)} for key, value in exc.details.items()]
            return core_error(409, "invalid_request_error", exc.code, exc.message, correlation_id, details)
        case Unprocessable():
            return core_error(
                422,
                "invalid_request_error",
                exc.code,
                exc.message,
                correlation_id,
                _problem_details(exc.problems),
            )
        case ServiceError():
            return core_error(
                exc.status_code, "invalid_request_error", "request_failed", exc.msg, correlation_id
            )
    if (replay := _idempotency_error(exc, correlation_id)) is not None:
        return replay
    logger.exception("unhandled error", extra={"correlation_id": correlation_id})
    return core_error(500, "api_error", "internal_error", "Internal error.", correlation_id)


def _idempotency_error(exc: Exception, correlation_id: str) -> dict[str, Any] | None:
    # Imported only where idempotency is in use: GET handlers never load the idempotency package.
    if "aws_lambda_powertools.utilities.idempotency" not in sys.modules:
        return None
    from aws_lambda_powertools.utilities.idempotency.exceptions import (
        IdempotencyAlreadyInProgressError,
        IdempotencyValidationError,
    )

    if isinstance(exc, IdempotencyValidationError):
        return core_error(
            422,
            "idempotency_error",
            "idempotency_key_reused",
            "This Idempotency-Key was used with a different request body.",
            correlation_id,
        )
    if isinstance(exc, IdempotencyAlreadyInProgressError):
        return core_error(
            409,
            "idempotency_error",
            "idempotency_key_in_use",
            "A request with this Idempotency-Key is still in progress; retry later.",
            correlation_id,
        )
    return None
