"""Open Finance's success envelope: `meta` and the paged body (the paging itself: pagination.py; the
`ResponseError`: errors.py)."""

from typing import Any

from pydantic import BaseModel

from financing.clock import iso, now
from financing.families.open_finance.pagination import PageRequest, links, total_pages


def meta(total: int, pages: int) -> dict[str, Any]:
    return {"totalRecords": total, "totalPages": pages, "requestDateTime": iso(now())}


def paged_body(event: dict[str, Any], data: Any, request: PageRequest | None, total: int) -> dict[str, Any]:
    pages = total_pages(total, request.size) if request else 1
    return {"data": data, "links": links(event, request, pages), "meta": meta(total, pages)}


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


class OpenFinanceResponse(BaseModel):
    """The success envelope; `data` is as the official specification defines it for each operation."""

    data: dict[str, Any] | list[dict[str, Any]]
    links: Links
    meta: Meta
