"""Buyer limit use cases: request one for a buyer, approve or deny it, read and list them."""

from decimal import Decimal
from typing import Any

from financing.domain import buyer_limits as rules
from financing.domain.actor import Actor
from financing.domain.buyer_limits import BuyerLimit, BuyerLimitView, Exposure, LimitStatus
from financing.domain.errors import FieldProblem, InvalidInput, NotFound
from financing.ids import is_id
from financing.services.ports import Announces, BuyerLimits, Exposures


def create_buyer_limit(
    limits: BuyerLimits, actor: Actor, details: dict[str, Any], *, announce: Announces[BuyerLimitView]
) -> BuyerLimitView:
    """A pending limit that becomes the buyer's current request (one transaction, no read)."""
    limit = rules.request_limit(tenant_id=actor.tenant_id, **details)
    created = BuyerLimitView(limit, 0)
    limits.add(limit, announce(rules.CREATED, actor, created))
    return created


def get_buyer_limit(limits: BuyerLimits, exposures: Exposures, actor: Actor, limit_id: str) -> BuyerLimitView:
    limit = _existing(limits, actor, limit_id)
    # Only an approved limit can have anything available: the others need no exposure read.
    exposure = (
        exposures.get(actor.tenant_id, limit.company_id) if limit.status == LimitStatus.APPROVED else None
    )
    return rules.view(limit, exposure)


def approve_buyer_limit(
    limits: BuyerLimits,
    exposures: Exposures,
    actor: Actor,
    limit_id: str,
    total_limit: Decimal,
    *,
    announce: Announces[BuyerLimitView],
) -> BuyerLimitView:
    approved = rules.approve(_existing(limits, actor, limit_id), total_limit)
    exposure = exposures.get(actor.tenant_id, approved.company_id)
    if exposure is None or exposure.current_limit_id != approved.id:
        raise rules.superseded(approved.id)
    after = Exposure(
        company_id=exposure.company_id,
        current_limit_id=approved.id,
        limit_status=LimitStatus.APPROVED,
        total_limit=approved.total_limit or 0,
        currency=exposure.currency,
        outstanding=exposure.outstanding,
        version=exposure.version + 1,
    )
    decided = rules.view(approved, after)
    limits.decide(approved, announce(rules.APPROVED, actor, decided))
    return decided


def deny_buyer_limit(
    limits: BuyerLimits, actor: Actor, limit_id: str, reason: str, *, announce: Announces[BuyerLimitView]
) -> BuyerLimitView:
    denied = rules.deny(_existing(limits, actor, limit_id), reason)
    decided = BuyerLimitView(denied, 0)
    # Whether it is still the buyer's current request is the transaction's condition.
    limits.decide(denied, announce(rules.DENIED, actor, decided))
    return decided


def list_buyer_limits(
    limits: BuyerLimits,
    exposures: Exposures,
    actor: Actor,
    *,
    company_id: str | None,
    limit: int,
    after: str | None,
) -> tuple[list[BuyerLimitView], bool]:
    if company_id is not None and not is_id("company", company_id):
        raise InvalidInput([FieldProblem("company", "must be a company id")])
    page, more = limits.page(actor.tenant_id, company_id=company_id, limit=limit, after=after)
    approved = {item.company_id for item in page if item.status == LimitStatus.APPROVED}
    found = exposures.get_many(actor.tenant_id, approved) if approved else {}
    return [rules.view(item, found.get(item.company_id)) for item in page], more


def _existing(limits: BuyerLimits, actor: Actor, limit_id: str) -> BuyerLimit:
    # A malformed id cannot exist: answer 404 without reading the table.
    limit = limits.get(actor.tenant_id, limit_id) if is_id(rules.ID_PREFIX, limit_id) else None
    if limit is None:
        raise NotFound("buyer limit", limit_id)
    return limit
