"""Company use cases: register, read, list and revise a tenant's companies."""

from typing import Any

from financing.domain import companies as rules
from financing.domain.actor import Actor
from financing.domain.companies import Company
from financing.domain.errors import NotFound
from financing.domain.events import DomainEvent
from financing.ids import is_id
from financing.services.ports import Companies, Shows


def create_company(
    store: Companies, actor: Actor, details: dict[str, Any], *, shown: Shows[Company]
) -> Company:
    company = rules.register_company(tenant_id=actor.tenant_id, **details)
    store.add(company, _event(rules.CREATED, actor, shown(company)))
    return company


def get_company(store: Companies, actor: Actor, company_id: str) -> Company:
    # A malformed id cannot exist: answer 404 without reading the table.
    company = store.get(actor.tenant_id, company_id) if is_id("company", company_id) else None
    if company is None:
        raise NotFound("company", company_id)
    return company


def list_companies(
    store: Companies, actor: Actor, *, limit: int, after: str | None
) -> tuple[list[Company], bool]:
    return store.page(actor.tenant_id, limit=limit, after=after)


def update_company(
    store: Companies, actor: Actor, company_id: str, changes: dict[str, Any], *, shown: Shows[Company]
) -> Company:
    revised = rules.revise_company(get_company(store, actor, company_id), changes)
    store.save(revised, _event(rules.UPDATED, actor, shown(revised)))
    return revised


def _event(type_: str, actor: Actor, company: dict[str, Any]) -> DomainEvent:
    return DomainEvent.announce(
        type_, tenant_id=actor.tenant_id, correlation_id=actor.correlation_id, obj=company
    )
