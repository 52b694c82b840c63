"""Monite's error envelopes as models, the responses every Monite-shaped route documents, and the mapper
from errors to them."""

import json
from typing import Any

from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from pydantic import BaseModel

from financing.domain.errors import InvalidInput
from financing.families.core.errors import core_error_for
from financing.families.cursors import InvalidCursor
from financing.families.refusals import MissingScope, Unauthenticated


class ErrorSchema(BaseModel):
    message: str


class MoniteError(BaseModel):
    """`{"error": {"message"}}`: every error except invalid values."""

    error: ErrorSchema


class ValidationProblem(BaseModel):
    loc: list[str | int]
    msg: str
    type: str


class HTTPValidationError(BaseModel):
    """`{"detail": [{loc, msg, type}]}`: invalid query, header or body values (422)."""

    detail: list[ValidationProblem]


_ERRORS = {
    400: "A malformed Idempotency-Key.",
    401: "Missing, malformed, expired or wrongly signed bearer token.",
    403: "The token lacks the scope this route needs, or x-monite-entity-id is not the token's tenant.",
    404: "No such resource for this tenant.",
    409: "Conflict: a lost race, a credit line exceeded, or an Idempotency-Key still in flight.",
    413: "The body exceeds 256 KiB.",
    415: "The body is not JSON.",
}


def monite_responses(status: int, model: type[BaseModel], description: str) -> dict[int, Any]:
    """OpenAPI responses of a Monite route: its success, Monite's error envelope, and its 422."""
    responses: dict[int, Any] = {
        status: {"description": description, "content": {"application/json": {"model": model}}}
    }
    for code, text in _ERRORS.items():
        responses[code] = {"description": text, "content": {"application/json": {"model": MoniteError}}}
    responses[422] = {
        "description": "Invalid values (query, headers or body), a forged pagination token, or an "
        "Idempotency-Key reused with another body; each problem located.",
        "content": {"application/json": {"model": HTTPValidationError}},
    }
    return responses


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
