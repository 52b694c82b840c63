"""How a use case's events are built: the changed item as its family shows it, inside the event type's model."""

from collections.abc import Callable
from typing import TypeVar

from pydantic import BaseModel

from financing.domain.actor import Actor
from financing.domain.events import DomainEvent
from financing.families.events import announce
from financing.services.ports import Announces

Item = TypeVar("Item")


def announcing(show: Callable[[Item], BaseModel]) -> Announces[Item]:
    """An event builder for use cases whose items `show` renders (a family's object model)."""

    def event(event_type: str, actor: Actor, item: Item) -> DomainEvent:
        return announce(
            event_type, tenant_id=actor.tenant_id, correlation_id=actor.correlation_id, obj=show(item)
        )

    return event
