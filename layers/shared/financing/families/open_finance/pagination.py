"""Open Finance pagination: page arithmetic and `links`.

Pages are numbered (`page` from 1, `page-size` 1..1000, 25 by default). Every page also carries a
`pagination-key` in its links: a signed snapshot time, so that the pages of one listing stay
consistent while new contracts or payments arrive (they appear once the client starts over).
"""

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from financing.clock import now
from financing.domain.errors import Unprocessable
from financing.families.cursors import InvalidCursor, decode_cursor, encode_cursor

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
