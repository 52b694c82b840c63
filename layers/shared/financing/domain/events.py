"""Domain events: what a committed state change announces on the bus (built by financing.families.events)."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel

EVENT_SOURCE = "invoice-financing"


class DomainEvent(BaseModel):
    """One announcement as the outbox stores it: its name, its keys, and the EventBridge `detail` that its
    event model built (JSON-ready, decimals kept for financing.exact_json)."""

    id: str
    type: str
    tenant_id: str
    correlation_id: str
    occurred_at: datetime
    detail: dict[str, Any]

    @property
    def object(self) -> dict[str, Any]:
        return self.detail["object"]
