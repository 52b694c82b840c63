"""Identifiers: ULIDs with a type prefix (`company_01J...`), also renderable as UUIDs for other dialects."""

import uuid

from ulid import ULID

from financing.clock import now


def new_id(prefix: str) -> str:
    return f"{prefix}_{ULID.from_datetime(now())}"


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
