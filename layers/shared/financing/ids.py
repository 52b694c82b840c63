"""Identifiers: ULIDs with a type prefix (`company_01J...`), also renderable as UUIDs for other families."""

import uuid
from datetime import datetime

from ulid import ULID

from financing.clock import now

# A ULID in Crockford base32 (48-bit time first, so the first character is at most 7), and a UUID as
# Python and the families render one.
ULID_PATTERN = "[0-7][0-9A-HJKMNP-TV-Z]{25}"
UUID_PATTERN = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"


def id_pattern(prefix: str) -> str:
    """The pattern of an id of type `prefix` (`company_01J...`), anchored."""
    return f"^{prefix}_{ULID_PATTERN}$"


def new_id(prefix: str, at: datetime | None = None) -> str:
    """A new id whose ULID carries the instant `at` (now by default), to the millisecond."""
    return f"{prefix}_{ULID.from_datetime(at or now())}"


def id_bound(prefix: str, millisecond: int, *, high: bool) -> str:
    """The lowest (or highest) id of `prefix` that a ULID created at `millisecond` (Unix ms) can have:
    ids sort by creation, so a time range is a key range."""
    timestamp = max(0, min(millisecond, 2**48 - 1)).to_bytes(6, "big")
    randomness = (b"\xff" if high else b"\x00") * 10
    return f"{prefix}_{ULID.from_bytes(timestamp + randomness)}"


def parse_id(prefix: str, value: str) -> ULID | None:
    """The ULID inside a prefixed id, or None when the value is not an id of that type."""
    head, sep, tail = value.partition("_")
    if not sep or head != prefix or len(tail) != 26:
        return None
    try:
        return ULID.from_str(tail)
    except ValueError:
        return None


def is_id(prefix: str, value: str) -> bool:
    return parse_id(prefix, value) is not None


def as_uuid(value: str) -> uuid.UUID:
    """The same 128 bits of a prefixed id as a UUID (Monite's invoice_id, Open Finance's contractId)."""
    _, _, tail = value.partition("_")
    return ULID.from_str(tail).to_uuid()


def from_uuid(prefix: str, value: uuid.UUID) -> str:
    return f"{prefix}_{ULID.from_uuid(value)}"
