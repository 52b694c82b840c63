"""Open Finance envelopes: `meta`, the paged success body, and the `ResponseError` body (the paging
itself: pagination.py)."""

from typing import Any

from pydantic import BaseModel

from financing.clock import iso, now
from financing.dialects.open_finance.pagination import PageRequest, links, total_pages


def meta(total: int, pages: int) -> dict[str, Any]:
    return {"totalRecords": total, "totalPages": pages, "requestDateTime": iso(now())}


def paged_body(event: dict[str, Any], data: Any, request: PageRequest | None, total: int) -> dict[str, Any]:
    pages = total_pages(total, request.size) if request else 1
    return {"data": data, "links": links(event, request, pages), "meta": meta(total, pages)}


def error_body(errors: list[tuple[str, str, str]]) -> dict[str, Any]:
    """ResponseError: at most 13 errors of (code, title, detail), with meta."""
    listed = [{"code": c, "title": t, "detail": d[:2048]} for c, t, d in errors[:13]]
    return {"errors": listed, "meta": meta(len(listed), 1)}


# ------------------------------------------------------------------- models for the OpenAPI document


class Links(BaseModel):
    self: str
    first: str | None = None
    prev: str | None = None
    next: str | None = None
    last: str | None = None


class Meta(BaseModel):
    totalRecords: int
    totalPages: int
    requestDateTime: str


class ErrorItem(BaseModel):
    code: str
    title: str
    detail: str


class ResponseError(BaseModel):
    errors: list[ErrorItem]
    meta: Meta | None = None


class OpenFinanceResponse(BaseModel):
    """The success envelope; `data` is as the official specification defines it for each operation."""

    data: dict[str, Any] | list[dict[str, Any]]
    links: Links
    meta: Meta


_DOCUMENTED_ERRORS = {
    400: "x-fapi-interaction-id missing or not a UUID, or a bad query parameter (a new interaction id is generated).",
    401: "Missing, malformed, expired or wrongly signed bearer token.",
    403: "The token lacks the invoice-financings scope, or its consent is unknown, revoked, expired or lacks this endpoint's permission.",
    404: "No such contract for the consent's customer.",
    406: "The Accept header excludes application/json.",
    422: "page-size over 1000.",
    500: "Internal error (also: the institution's brand_name and institution_cnpj are not set).",
}


def documented(description: str) -> dict[int, Any]:
    """OpenAPI responses of an Open Finance route: its success and every ResponseError it can answer with."""
    responses: dict[int, Any] = {
        200: {"description": description, "content": {"application/json": {"model": OpenFinanceResponse}}}
    }
    for status, text in _DOCUMENTED_ERRORS.items():
        responses[status] = {"description": text, "content": {"application/json": {"model": ResponseError}}}
    return responses
