"""Monite's error envelopes as models, and the responses every Monite-shaped route documents."""

from typing import Any

from pydantic import BaseModel


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


def documented(status: int, model: type[BaseModel], description: str) -> dict[int, Any]:
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
