"""Open Finance envelopes: page arithmetic, `links`, `meta`, and the `ResponseError` body.

Pages are numbered (`page` from 1, `page-size` 1..1000, 25 by default). Every page also carries a
`pagination-key` in its links: a signed snapshot time, so that the pages of one listing stay
consistent while new contracts or payments arrive (they appear once the client starts over).
"""

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from pydantic import BaseModel

from financing.api.pagination import InvalidCursor, decode_cursor, encode_cursor
from financing.clock import iso, now
from financing.domain.errors import Unprocessable

DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 1000


class PageSizeTooLarge(Unprocessable):
    code = "page_size_too_large"

    def __init__(self) -> None:
        super().__init__(f"page-size may not exceed {MAX_PAGE_SIZE}.")


@dataclass(frozen=True)
class PageRequest:
    page: int
    size: int
    snapshot: datetime  # what the listing shows: what existed at this moment
    key: str  # the pagination-key that names the snapshot

    def slice(self, items: list[Any]) -> list[Any]:
        start = (self.page - 1) * self.size
        return items[start : start + self.size]


def page_request(page: int, size: int, pagination_key: str | None, binding: str) -> PageRequest:
    """The page asked for; a pagination-key resumes its listing's snapshot (bound to the listing)."""
    if size > MAX_PAGE_SIZE:
        raise PageSizeTooLarge()
    if pagination_key is None:
        snapshot = now()
    else:
        try:
            snapshot = datetime.fromisoformat(str(decode_cursor(pagination_key, binding).get("at")))
        except ValueError as error:
            raise InvalidCursor() from error
    return PageRequest(page, size, snapshot, encode_cursor({"at": snapshot.isoformat()}, binding))


def total_pages(total: int, size: int) -> int:
    return math.ceil(total / size)


def self_url(event: dict[str, Any]) -> str:
    """The URL the client called: API Gateway's host (plus the stage on an execute-api domain) and path."""
    headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
    context = event.get("requestContext") or {}
    host = headers.get("host") or context.get("domainName") or "localhost"
    loopback = host.split(":")[0] in {"127.0.0.1", "localhost"}
    scheme = headers.get("x-forwarded-proto") or ("http" if loopback else "https")
    stage = f"/{context['stage']}" if ".execute-api." in host and context.get("stage") else ""
    return f"{scheme}://{host}{stage}{event.get('path') or '/'}"


def links(event: dict[str, Any], request: PageRequest | None, pages: int) -> dict[str, str]:
    """`self` always; `first`/`prev` off the first page; `next`/`last` before the last page."""
    base = self_url(event)
    query = event.get("queryStringParameters") or {}
    result = {"self": f"{base}?{urlencode(query)}" if query else base}
    if request is None:
        return result

    def at(page: int) -> str:
        return f"{base}?{urlencode({'page': page, 'page-size': request.size, 'pagination-key': request.key})}"

    if request.page > 1:
        result["first"] = at(1)
        result["prev"] = at(min(request.page - 1, max(pages, 1)))
    if request.page < pages:
        result["next"] = at(request.page + 1)
        result["last"] = at(pages)
    return result


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
