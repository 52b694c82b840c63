"""Financing offers (Monite-shaped): the tenant's credit line, read by the tenant and set by a lender."""

from financing.adapters.credit_line import CreditLineStore
from financing.dialects.events import announce
from financing.dialects.monite.offers import offers_response
from financing.domain.actor import Actor
from financing.domain.credit_line import UPDATED, CreditLine, PricingPlan


def credit_line(store: CreditLineStore, actor: Actor) -> CreditLine | None:
    return store.get(actor.tenant_id)


def set_credit_line(
    store: CreditLineStore, actor: Actor, *, total_amount: int, currency: str, plans: list[PricingPlan]
) -> CreditLine:
    """The lender's terms for the tenant's line; the principal already drawn stays drawn."""
    current = store.get(actor.tenant_id)
    line = CreditLine(
        tenant_id=actor.tenant_id,
        total_amount=total_amount,
        currency=currency,
        pricing_plans=plans,
        outstanding=current.outstanding if current else 0,
        version=(current.version if current else 0) + 1,
    )
    event = announce(
        UPDATED,
        tenant_id=actor.tenant_id,
        correlation_id=actor.correlation_id,
        obj=offers_response(line),
    )
    store.set_terms(line, event)
    return line
