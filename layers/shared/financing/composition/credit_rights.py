"""The receivables registry use cases' wiring: how their events show a receivable (the fields Pismo's
registration events carry, by the model of each event type)."""

from typing import Any

from financing.domain.credit_rights import Receivable
from financing.domain.events import DomainEvent
from financing.families.events import KINDS, announce


def receivable_event(
    event_type: str, receivable: Receivable, correlation_id: str, /, **extra: Any
) -> DomainEvent:
    """Registry events carry the fields Pismo's events carry, with tenant and correlation ids."""
    fields = KINDS[event_type].object_model.of(receivable, **extra)
    return announce(event_type, tenant_id=receivable.tenant_id, correlation_id=correlation_id, obj=fields)
