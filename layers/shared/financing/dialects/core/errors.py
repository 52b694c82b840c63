"""The core error envelope as a model, and the responses every core route documents."""

from typing import Any

from pydantic import BaseModel


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


def documented(status: int, model: type[BaseModel], description: str) -> dict[int, Any]:
    """OpenAPI responses of a core route: its success and every error envelope it can answer with."""
    return documented_as(status, {"application/json": {"model": model}}, description)


def documented_as(status: int, content: dict[str, Any], description: str) -> dict[int, Any]:
    """As `documented`, for a success of any media type (`content` as OpenAPI writes it)."""
    responses: dict[int, Any] = {status: {"description": description, "content": content}}
    for code, text in _ERRORS.items():
        responses[code] = {"description": text, "content": {"application/json": {"model": CoreError}}}
    return responses
