"""The core lists' cursor: the `cursor` query parameter and the position a listing resumes after."""

from dataclasses import dataclass
from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from financing.families.cursors import CURSOR_PATTERN, InvalidCursor, decode_cursor, encode_cursor

Cursor = Annotated[
    str | None,
    Query(
        max_length=512,
        pattern=CURSOR_PATTERN,
        description="`next_cursor` of the previous page: opaque, signed for this listing and caller",
    ),
]


def position_after(token: str | None, binding: str) -> str | None:
    """The sort key a listing resumes after, from a cursor issued by `encode_cursor({"after": ...})`."""
    if token is None:
        return None
    after = decode_cursor(token, binding).get("after")
    if not isinstance(after, str):
        raise InvalidCursor()
    return after


@dataclass(frozen=True)
class ListCursors:
    """The cursors of one core listing, bound to the tenant, the listing and its filters: a cursor issued
    for one resumes no other (another tenant's, another listing's, the same listing with other filters)."""

    binding: str

    def after(self, token: str | None) -> str | None:
        """The position `token` (a `next_cursor` of this listing, or None for the first page) resumes after."""
        return position_after(token, self.binding)

    def next(self, position: str | None) -> str | None:
        """The `next_cursor` resuming after `position` (None: the listing ended, no cursor)."""
        return None if position is None else encode_cursor({"after": position}, self.binding)


def list_cursors(tenant_id: str, listing: str, *filters: object) -> ListCursors:
    """The cursors of `listing` for `tenant_id`, bound to `filters` in order (an absent one written `*`)."""
    parts = [tenant_id, listing, *("*" if f is None else str(f) for f in filters)]
    return ListCursors(":".join(parts))
