"""Monite's pagination tokens for the financing list: signed, bound to the tenant's list, carrying the query
they continue, a key position, a direction and whether invoices lie beyond that position."""

from dataclasses import dataclass
from typing import Any

from financing.domain.financing_list import InvoiceQuery
from financing.families.cursors import InvalidCursor, decode_cursor, encode_cursor


@dataclass(frozen=True)
class Position:
    query: InvoiceQuery
    at: str | None = None  # the key to continue from (None: the start)
    backward: bool = False
    beyond: bool = False  # whether invoices lie on the far side of `at` (the page the token came from)


def binding(tenant_id: str) -> str:
    return f"{tenant_id}:financing_invoices"


def resume(token: str, tenant_id: str) -> Position:
    """Where a pagination token continues; a forged or malformed one is InvalidCursor."""
    state = decode_cursor(token, binding(tenant_id))
    try:
        return Position(
            InvoiceQuery.model_validate(state["q"]),
            state["at"],
            state["dir"] == "prev",
            bool(state["beyond"]),
        )
    except (KeyError, ValueError) as error:
        raise InvalidCursor() from error


def page_tokens(
    position: Position, page: list[Any], more: bool, last_examined: str | None, tenant_id: str
) -> tuple[str | None, str | None]:
    """The next and previous tokens of a page (in display order) read from `position`; None at the ends."""
    ahead, behind = (position.beyond, more) if position.backward else (more, position.beyond)
    # An empty page (a sparse filter's read budget ran out) spans up to where the read stopped: tokens
    # both ways start there, so going back re-reads that span rather than skipping the cursor's item.
    first = page[0].id if page else (last_examined or position.at)
    last = page[-1].id if page else (last_examined or position.at)

    def token(direction: str, at: str | None, far_side: bool) -> str | None:
        if at is None:
            return None
        state = {
            "q": position.query.model_dump(mode="json", exclude_defaults=True),
            "at": at,
            "dir": direction,
            "beyond": far_side,
        }
        return encode_cursor(state, binding(tenant_id))

    next_token = token("next", last, bool(page) or behind) if ahead else None
    prev_token = token("prev", first, bool(page) or ahead) if behind else None
    return next_token, prev_token
