"""Domain events: what a committed state change announces on the bus."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from financing.clock import iso, now
from financing.ids import new_id

EVENT_SOURCE = "invoice-financing"


class DomainEvent(BaseModel):
    id: str
    type: str
    tenant_id: str
    correlation_id: str
    occurred_at: datetime
    object: dict[str, Any]

    @classmethod
    def announce(
        cls, type_: str, *, tenant_id: str, correlation_id: str, obj: dict[str, Any]
    ) -> "DomainEvent":
        return cls(
            id=new_id("evt"),
            type=type_,
            tenant_id=tenant_id,
            correlation_id=correlation_id,
            occurred_at=now(),
            object=obj,
        )

    def detail(self) -> dict[str, Any]:
        """The EventBridge `detail`: tenant, correlation id and the object, plus a stable id to dedupe on."""
        return {
            "id": self.id,
            "type": self.type,
            "tenant_id": self.tenant_id,
            "correlation_id": self.correlation_id,
            "created": iso(self.occurred_at),
            "object": self.object,
        }
