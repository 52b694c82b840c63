"""Open Finance's `ResponseError`: the model, the responses every route documents, and the mapper from
errors to it, echoing `x-fapi-interaction-id`."""

import json
from typing import Any

from pydantic import BaseModel

from financing.correlation import HEADER as CORRELATION_HEADER
from financing.domain.consents import ConsentRefused
from financing.domain.settings import InstitutionNotConfigured
from financing.families.core.errors import core_error_for
from financing.families.open_finance.envelope import Meta, OpenFinanceResponse, meta
from financing.observability import logger


class ErrorItem(BaseModel):
    code: str
    title: str
    detail: str


class ResponseError(BaseModel):
    errors: list[ErrorItem]
    meta: Meta | None = None


def error_body(errors: list[tuple[str, str, str]]) -> dict[str, Any]:
    """ResponseError: at most 13 errors of (code, title, detail), with meta."""
    listed = [{"code": c, "title": t, "detail": d[:2048]} for c, t, d in errors[:13]]
    return {"errors": listed, "meta": meta(len(listed), 1)}


_DOCUMENTED_ERRORS = {
    400: "x-fapi-interaction-id missing or not a UUID, or a bad query parameter (a new interaction id is generated).",
    401: "Missing, malformed, expired or wrongly signed bearer token.",
    403: "The token lacks the invoice-financings scope, or its consent is unknown, revoked, expired or lacks this endpoint's permission.",
    404: "No such contract for the consent's customer.",
    406: "The Accept header excludes application/json.",
    422: "page-size over 1000.",
    500: "Internal error (also: the institution's brand_name and institution_cnpj are not set).",
}


def open_finance_responses(description: str) -> dict[int, Any]:
    """OpenAPI responses of an Open Finance route: its success and every ResponseError it can answer with."""
    responses: dict[int, Any] = {
        200: {"description": description, "content": {"application/json": {"model": OpenFinanceResponse}}}
    }
    for status, text in _DOCUMENTED_ERRORS.items():
        responses[status] = {"description": text, "content": {"application/json": {"model": ResponseError}}}
    return responses


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
