"""Company use cases: register, read, list and revise a tenant's companies."""

from typing import Any

from financing.domain import companies as rules
from financing.domain.actor import Actor
from financing.domain.companies import Company
from financing.domain.errors import NotFound
from financing.ids import is_id
from financing.services.ports import Announces, Companies


def create_company(
    store: Companies, actor: Actor, details: dict[str, Any], *, announce: Announces[Company]
) -> Company:
    company = rules.register_company(tenant_id=actor.tenant_id, **details)
    store.add(company, announce(rules.CREATED, actor, company))
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
    store: Companies, actor: Actor, company_id: str, changes: dict[str, Any], *, announce: Announces[Company]
) -> Company:
    revised = rules.revise_company(get_company(store, actor, company_id), changes)
    store.save(revised, announce(rules.UPDATED, actor, revised))
    return revised
