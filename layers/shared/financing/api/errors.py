"""One error mapper per family. The core envelope: {"error": {type, code, message, details, correlation_id}}."""

import json
import re
import sys
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError, ServiceError
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError

from financing.api.auth import MissingScope, Unauthenticated
from financing.api.correlation import HEADER as CORRELATION_HEADER
from financing.dialects.cursors import InvalidCursor
from financing.domain.errors import (
    Conflict,
    FieldProblem,
    InvalidInput,
    NotFound,
    StateConflict,
    Unprocessable,
)
from financing.observability import logger


class PayloadTooLarge(Exception):
    pass


class InvalidIdempotencyKey(Exception):
    pass


class UnsupportedMediaType(Exception):
    pass


class MalformedBody(Exception):
    """The body is not even text (not UTF-8), so it cannot be JSON."""


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


def as_response(proxy: dict[str, Any]) -> Response:
    return Response(status_code=proxy["statusCode"], body=proxy["body"], headers=proxy["headers"])


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


def pismo_error_for(exc: Exception, correlation_id: str) -> dict[str, Any]:
    """The Pismo family's envelope, `{"correlationId", "errors": ["<field>: <what is wrong>", ...]}`,
    with the same statuses as the core mapping (one decision, two shapes)."""
    core = core_error_for(exc, correlation_id)
    error = json.loads(core["body"])["error"]
    errors = [f"{d['field']}: {d['message']}" for d in error["details"]] or [error["message"]]
    return {**core, "body": json.dumps({"correlationId": correlation_id, "errors": errors})}


class InvalidHeader(Exception):
    """A Monite header with a value it cannot have (422)."""

    def __init__(self, header: str, message: str) -> None:
        super().__init__(message)
        self.header = header
        self.message = message


class ForeignEntity(Exception):
    """`x-monite-entity-id` names another entity than the token's tenant (403)."""


class InvalidFinancingToken(Exception):
    """A connect or session token that is forged, expired, malformed or for another purpose (401)."""


class ForeignSessionToken(Exception):
    """A session token of another business than the connect token's (403)."""


def _monite_problems(exc: Exception) -> list[dict[str, Any]] | None:
    """Monite's 422 `detail` items for invalid values, or None when `exc` is not about values."""
    match exc:
        case RequestValidationError():
            problems = []
            for error in exc.errors():
                loc = list(error.get("loc", ()))
                if loc[:2] == ["query", "params"]:  # the query model's own name is no location
                    loc = ["query", *loc[2:]]
                problems.append(
                    {
                        "loc": loc,
                        "msg": error.get("msg") or error.get("type", "invalid"),
                        "type": error["type"],
                    }
                )
            return problems
        case InvalidInput():
            return [
                {
                    "loc": p.field.split(".")
                    if p.field.startswith(("query.", "header."))
                    else ["body", *p.field.split(".")],
                    "msg": p.message,
                    "type": "value_error",
                }
                for p in exc.problems
            ]
        case InvalidCursor():
            return [
                {
                    "loc": ["query", "pagination_token"],
                    "msg": "The pagination token was not issued by this API for this list.",
                    "type": "invalid_token",
                }
            ]
        case InvalidHeader():
            return [{"loc": ["header", exc.header], "msg": exc.message, "type": "value_error"}]
    return None


def monite_error_for(exc: Exception, correlation_id: str) -> dict[str, Any]:
    """The Monite family's envelopes: invalid values are 422 `{"detail": [{loc, msg, type}]}`; every other
    error is `{"error": {"message"}}` with the core mapping's status."""
    problems = _monite_problems(exc)
    if isinstance(exc, InvalidFinancingToken | ForeignSessionToken):
        # The same words for every refusal: nothing says which check failed or what the token held.
        status, message = (
            (401, "A valid connect token is required.")
            if isinstance(exc, InvalidFinancingToken)
            else (403, "The session token is not for this business.")
        )
        core = core_error_for(Unauthenticated(), correlation_id)
        return {**core, "statusCode": status, "body": json.dumps({"error": {"message": message}})}
    if isinstance(exc, ForeignEntity):
        core = core_error_for(MissingScope("x-monite-entity-id"), correlation_id)
        message = "x-monite-entity-id is not the entity of this token."
        return {**core, "body": json.dumps({"error": {"message": message}})}
    core = core_error_for(exc, correlation_id)
    error = json.loads(core["body"])["error"]
    if problems is not None:
        return {**core, "statusCode": 422, "body": json.dumps({"detail": problems})}
    if core["statusCode"] == 422:
        problem = {"loc": ["header", "idempotency-key"], "msg": error["message"], "type": error["code"]}
        if error["code"] != "idempotency_key_reused":
            problem = {"loc": ["body"], "msg": error["message"], "type": error["code"]}
        return {**core, "body": json.dumps({"detail": [problem]})}
    return {**core, "body": json.dumps({"error": {"message": error["message"]}})}


class MissingInteractionId(Exception):
    """Open Finance requests must carry `x-fapi-interaction-id`, a UUID."""


class NotAcceptable(Exception):
    """The client's Accept header excludes JSON, the only representation there is."""


OPEN_FINANCE_HEADER = "x-fapi-interaction-id"
OPEN_FINANCE_MEDIA_TYPE = "application/json; charset=utf-8"
# Status -> (code, title) of Open Finance's ResponseError; `detail` says what exactly went wrong.
_OPEN_FINANCE_ERRORS = {
    400: ("BAD_REQUEST", "Bad request"),
    401: ("UNAUTHORIZED", "Unauthorized"),
    403: ("FORBIDDEN", "Forbidden"),
    404: ("NOT_FOUND", "Not found"),
    405: ("METHOD_NOT_ALLOWED", "Method not allowed"),
    406: ("NOT_ACCEPTABLE", "Not acceptable"),
    409: ("CONFLICT", "Conflict"),
    413: ("PAYLOAD_TOO_LARGE", "Payload too large"),
    415: ("UNSUPPORTED_MEDIA_TYPE", "Unsupported media type"),
    422: ("UNPROCESSABLE_ENTITY", "Unprocessable entity"),
    500: ("INTERNAL_ERROR", "Internal server error"),
}


def open_finance_error_for(exc: Exception, interaction_id: str) -> dict[str, Any]:
    """Open Finance's `ResponseError` `{errors: [{code, title, detail}], meta}`, echoing the interaction id;
    the statuses are the core mapping's, plus the consent's 403, 406 and an unconfigured institution's 500."""
    from financing.dialects.open_finance.envelope import error_body
    from financing.domain.consents import ConsentRefused
    from financing.domain.settings import InstitutionNotConfigured

    match exc:
        case MissingInteractionId():
            status, details = 400, [f"{OPEN_FINANCE_HEADER} is required and must be a UUID."]
        case NotAcceptable():
            status, details = 406, ["Only application/json is available; accept it."]
        case ConsentRefused():
            status, details = 403, [exc.message]
        case InstitutionNotConfigured():
            logger.error("open finance institution not configured", extra={"correlation_id": interaction_id})
            status, details = 500, [exc.message]
        case _:
            core = core_error_for(exc, interaction_id)
            status, error = core["statusCode"], json.loads(core["body"])["error"]
            details = [f"{d['field']}: {d['message']}" for d in error["details"]] or [error["message"]]
    code, title = _OPEN_FINANCE_ERRORS.get(status, _OPEN_FINANCE_ERRORS[500])
    body = error_body([(code, title, detail) for detail in details])
    return {
        "statusCode": status,
        "headers": {
            "Content-Type": OPEN_FINANCE_MEDIA_TYPE,
            OPEN_FINANCE_HEADER: interaction_id,
            CORRELATION_HEADER: interaction_id,
        },
        "body": json.dumps(body),
    }
