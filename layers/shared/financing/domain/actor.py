"""Who is acting: the verified tenant and subject of a request, and its correlation id."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    tenant_id: str
    subject: str
    scopes: frozenset[str]
    correlation_id: str
