"""Who is acting: the verified tenant and subject of a request, and its correlation id."""

import re
from dataclasses import dataclass

# A tenant id, matched whole (never with `$`, which also matches before a trailing newline): it starts every
# partition key of the tenant's items, so nothing else may pass for one.
_TENANT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_\-]{0,63}")


def is_tenant_id(value: object) -> bool:
    return isinstance(value, str) and _TENANT_ID.fullmatch(value) is not None


@dataclass(frozen=True)
class Actor:
    tenant_id: str
    subject: str
    scopes: frozenset[str]
    correlation_id: str
