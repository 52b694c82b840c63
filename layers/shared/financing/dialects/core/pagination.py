"""The core lists' cursor: the `cursor` query parameter and the position a listing resumes after."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from financing.dialects.cursors import CURSOR_PATTERN, InvalidCursor, decode_cursor

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
